/*
 * Stand-alone driver for the libFuzzer targets, for machines without clang's
 * libFuzzer: built with gcc under ASan+UBSan by scripts/fuzz.sh, it replays
 * every corpus file through LLVMFuzzerTestOneInput(), then mutates the corpus
 * at random (bit flips, byte edits, deletions, duplicated ranges, dictionary
 * tokens, splices of two inputs, another option byte) until the time is up.
 * It has no coverage feedback: it keeps one mutant in sixteen in its pool so
 * that mutations stack, which is enough to walk quoting, escapes, numbers and
 * encodings off their well-formed paths.
 *
 * Flags are libFuzzer's, so that scripts/fuzz.sh passes the same ones to
 * either: -max_total_time=SECS -max_len=BYTES -timeout=SECS -seed=N
 * -runs=N -dict=FILE -artifact_prefix=PREFIX, then corpus files or
 * directories. An input that crashes (a sanitizer report) or runs past
 * -timeout is written to PREFIX crash-<fnv1a> or timeout-<fnv1a> before the
 * driver dies, and replays with: driver FILE.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct input {
	uint8_t	*data;
	size_t	 len;
};

struct pool {
	struct input	*v;
	size_t		 n;
	size_t		 cap;
};

#define DRIVER_POOL_MAX	4096
#define DRIVER_DICT_MAX	512

static const char	*artifact_prefix = "";
static const uint8_t	*current;	/* the input under test, for artifacts */
static size_t		 current_len;
static unsigned		 timeout_secs = 10;
static uint64_t		 rng_state;

static struct input	 dict[DRIVER_DICT_MAX];
static size_t		 ndict;

static void *
driver_alloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL) {
		fprintf(stderr, "driver: out of memory\n");
		exit(2);
	}
	return p;
}

/* xorshift64*: a seed repeats a run; quality is beside the point here. */
static uint64_t
driver_rand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t
driver_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(driver_rand() % n);
}

static uint32_t
driver_fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/*
 * Write the input under test where -artifact_prefix says: called from the
 * sanitizers' death callback and the timeout signal, so only write(2).
 */
static void
driver_save(const char *kind)
{
	char path[PATH_MAX];
	ssize_t w;
	size_t off = 0;
	int fd;

	if (current == NULL)
		return;
	snprintf(path, sizeof path, "%s%s-%08" PRIx32, artifact_prefix, kind,
	    driver_fnv1a(current, current_len));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return;
	while (off < current_len) {
		w = write(fd, current + off, current_len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	dprintf(2, "driver: %zu-byte input written to %s\n", current_len,
	    path);
}

static void
driver_death_cb(void)
{
	driver_save("crash");
}

static void
driver_alarm_cb(int sig)
{
	(void)sig;
	dprintf(2, "driver: an input ran longer than %u s\n", timeout_secs);
	driver_save("timeout");
	_exit(70);
}

static void
driver_run(const uint8_t *data, size_t len)
{
	uint8_t *copy;

	/* A copy of exactly len bytes: ASan sees any read past the end. */
	copy = driver_alloc(len);
	memcpy(copy, data, len);
	current = copy;
	current_len = len;
	alarm(timeout_secs);
	LLVMFuzzerTestOneInput(copy, len);
	alarm(0);
	current = NULL;
	free(copy);
}

static void
driver_pool_add(struct pool *p, uint8_t *data, size_t len)
{
	size_t i;

	if (p->n == DRIVER_POOL_MAX) {
		/* Full: replace a random mutant, never a seed (the first half). */
		i = DRIVER_POOL_MAX / 2 + driver_below(DRIVER_POOL_MAX / 2);
		free(p->v[i].data);
		p->v[i].data = data;
		p->v[i].len = len;
		return;
	}
	if (p->n == p->cap) {
		p->cap = p->cap == 0 ? 64 : p->cap * 2;
		p->v = realloc(p->v, p->cap * sizeof *p->v);
		if (p->v == NULL) {
			fprintf(stderr, "driver: out of memory\n");
			exit(2);
		}
	}
	p->v[p->n].data = data;
	p->v[p->n].len = len;
	p->n++;
}

static int
driver_read_file(const char *path, uint8_t **data, size_t *len, size_t max)
{
	struct stat st;
	ssize_t r;
	size_t off = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;	/* not a regular file: skipped */
	}
	*len = (size_t)st.st_size < max ? (size_t)st.st_size : max;
	*data = driver_alloc(*len);
	while (off < *len) {
		r = read(fd, *data + off, *len - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	*len = off;
	close(fd);
	return 0;
}

/* Replay one corpus file or every file of a directory into the pool. */
static int
driver_load(struct pool *p, const char *path, size_t max)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	uint8_t *data;
	size_t len;
	DIR *dir;
	int rc = 0;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((dir = opendir(path)) == NULL) {
			fprintf(stderr, "driver: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			if (driver_load(p, sub, max) == -1)
				rc = -1;
		}
		closedir(dir);
		return rc;
	}
	if ((rc = driver_read_file(path, &data, &len, max)) != 0)
		return rc == 1 ? 0 : -1;
	driver_run(data, len);
	driver_pool_add(p, data, len);
	return 0;
}

/* libFuzzer dictionary: lines name="token" or "token", \\ \" \xNN escapes. */
static int
driver_load_dict(const char *path)
{
	char line[1024], *q;
	uint8_t tok[256];
	size_t n;
	unsigned hex;
	FILE *f;
	int lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		q = line + strspn(line, " \t");
		if (*q == '#' || *q == '\n' || *q == '\0')
			continue;
		if ((q = strchr(q, '"')) == NULL) {
			fprintf(stderr, "driver: %s:%d: no quoted token\n",
			    path, lineno);
			fclose(f);
			return -1;
		}
		for (q++, n = 0; *q != '"' && *q != '\0' && n < sizeof tok;
		    q++) {
			if (*q == '\\' && q[1] == 'x' &&
			    sscanf(q + 2, "%2x", &hex) == 1) {
				tok[n++] = (uint8_t)hex;
				q += 3;
			} else if (*q == '\\' && q[1] != '\0')
				tok[n++] = (uint8_t)*++q;
			else
				tok[n++] = (uint8_t)*q;
		}
		if (*q != '"' || n == 0) {
			fprintf(stderr, "driver: %s:%d: bad token\n", path,
			    lineno);
			fclose(f);
			return -1;
		}
		if (ndict == DRIVER_DICT_MAX)
			break;
		dict[ndict].data = driver_alloc(n);
		memcpy(dict[ndict].data, tok, n);
		dict[ndict++].len = n;
	}
	fclose(f);
	return 0;
}

/* One random edit of buf[0..*len) in place; cap bytes are available. */
static void
driver_mutate_once(uint8_t *buf, size_t *len, size_t cap,
    const struct pool *p)
{
	static const uint8_t special[] = { 0x00, '\n', '\r', '"', ',', ';',
	    '\t', '.', '-', '+', 'e', '\\', '{', '}', '[', ']', ':', '0', '9',
	    0x7f, 0x80, 0xbf, 0xc3, 0xe2, 0xef, 0xff };
	const struct input *o;
	size_t n = *len, pos, k, m;

	switch (driver_below(9)) {
	case 0:		/* flip a bit */
		if (n > 0)
			buf[driver_below(n)] ^= (uint8_t)(1u << driver_below(8));
		break;
	case 1:		/* a special byte in place */
		if (n > 0)
			buf[driver_below(n)] = special[driver_below(sizeof
			    special)];
		break;
	case 2:		/* insert a special or random byte */
		if (n < cap) {
			pos = driver_below(n + 1);
			memmove(buf + pos + 1, buf + pos, n - pos);
			buf[pos] = driver_below(2) ? special[driver_below(
			    sizeof special)] : (uint8_t)driver_rand();
			*len = n + 1;
		}
		break;
	case 3:		/* delete a range */
		if (n > 1) {
			pos = driver_below(n);
			k = 1 + driver_below(n - pos < 16 ? n - pos : 16);
			memmove(buf + pos, buf + pos + k, n - pos - k);
			*len = n - k;
		}
		break;
	case 4:		/* duplicate a range (longer fields, more rows) */
		if (n > 0) {
			pos = driver_below(n);
			k = 1 + driver_below(n - pos < 64 ? n - pos : 64);
			if (n + k <= cap) {
				m = driver_below(n + 1);
				memmove(buf + m + k, buf + m, n - m);
				memmove(buf + m, buf + (pos >= m ? pos + k :
				    pos), k);
				*len = n + k;
			}
		}
		break;
	case 5:		/* insert a dictionary token */
	case 6:
		if (ndict > 0) {
			o = &dict[driver_below(ndict)];
			if (n + o->len <= cap) {
				pos = driver_below(n + 1);
				memmove(buf + pos + o->len, buf + pos, n - pos);
				memcpy(buf + pos, o->data, o->len);
				*len = n + o->len;
			}
		}
		break;
	case 7:		/* splice: keep a prefix, append another input's tail */
		o = &p->v[driver_below(p->n)];
		if (o->len > 0) {
			pos = driver_below(n + 1);
			k = driver_below(o->len);
			m = o->len - k < cap - pos ? o->len - k : cap - pos;
			memcpy(buf + pos, o->data + k, m);
			*len = pos + m;
		}
		break;
	case 8:		/* other options: the first byte selects them */
		if (n > 0)
			buf[0] = (uint8_t)driver_rand();
		break;
	}
}

static int
driver_usage(void)
{
	fprintf(stderr, "usage: driver [-max_total_time=SECS] [-max_len=BYTES]"
	    " [-timeout=SECS] [-seed=N] [-runs=N] [-dict=FILE]"
	    " [-artifact_prefix=PREFIX] CORPUS...\n");
	return 2;
}

/* Parse -name=NUMBER; 1 if the flag matched, -1 if its value is bad. */
static int
driver_flag(const char *arg, const char *name, unsigned long long *v)
{
	size_t n = strlen(name);
	char *end;

	if (strncmp(arg, name, n) != 0 || arg[n] != '=')
		return 0;
	errno = 0;
	*v = strtoull(arg + n + 1, &end, 10);
	if (errno != 0 || end == arg + n + 1 || *end != '\0') {
		fprintf(stderr, "driver: %s: not a number\n", arg);
		return -1;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	unsigned long long total = 0, max_len = 4096, seed, runs = 0, v;
	unsigned long long done = 0, i;
	struct pool pool = { NULL, 0, 0 };
	struct timespec t0, t;
	const struct input *o;
	size_t len, nseeds;
	uint8_t *buf;
	int a, r, ncorpus = 0;

	seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid()
	    << 32);
	for (a = 1; a < argc; a++) {
		if (argv[a][0] != '-')
			continue;
		if ((r = driver_flag(argv[a], "-max_total_time", &v)) == 1)
			total = v;
		else if (r == 0 && (r = driver_flag(argv[a], "-max_len",
		    &v)) == 1)
			max_len = v;
		else if (r == 0 && (r = driver_flag(argv[a], "-timeout",
		    &v)) == 1)
			timeout_secs = v > 0 && v < 3600 ? (unsigned)v : 10;
		else if (r == 0 && (r = driver_flag(argv[a], "-seed", &v)) == 1)
			seed = v;
		else if (r == 0 && (r = driver_flag(argv[a], "-runs", &v)) == 1)
			runs = v;
		else if (r == 0 && strncmp(argv[a], "-dict=", 6) == 0) {
			if (driver_load_dict(argv[a] + 6) == -1)
				return 2;
			r = 1;
		} else if (r == 0 && strncmp(argv[a], "-artifact_prefix=",
		    17) == 0) {
			artifact_prefix = argv[a] + 17;
			r = 1;
		}
		if (r != 1)
			return r == -1 ? 2 : driver_usage();
	}
	if (max_len == 0 || max_len > 16 * 1024 * 1024) {
		fprintf(stderr, "driver: -max_len=%llu: out of 1..16777216\n",
		    max_len);
		return 2;
	}
	rng_state = seed != 0 ? seed : 1;
	__sanitizer_set_death_callback(driver_death_cb);
	signal(SIGALRM, driver_alarm_cb);

	for (a = 1; a < argc; a++) {
		if (argv[a][0] == '-')
			continue;
		ncorpus++;
		if (driver_load(&pool, argv[a], max_len) == -1)
			return 2;
	}
	if (ncorpus == 0)
		return driver_usage();
	nseeds = pool.n;
	fprintf(stderr, "driver: %zu corpus inputs replayed; seed %llu\n",
	    nseeds, seed);
	if (nseeds == 0 || (total == 0 && runs == 0))
		return 0;

	buf = driver_alloc(max_len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (runs != 0 && done >= runs)
			break;
		if (total != 0 && (done & 63) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((unsigned long long)(t.tv_sec - t0.tv_sec) >= total)
				break;
		}
		o = &pool.v[driver_below(pool.n)];
		len = o->len < max_len ? o->len : max_len;
		memcpy(buf, o->data, len);
		for (i = 1 + driver_below(8); i > 0; i--)
			driver_mutate_once(buf, &len, max_len, &pool);
		driver_run(buf, len);
		done++;
		if (driver_below(16) == 0) {
			uint8_t *keep = driver_alloc(len);

			memcpy(keep, buf, len);
			driver_pool_add(&pool, keep, len);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	fprintf(stderr, "driver: %llu mutated inputs in %lld s, no crash\n",
	    done, (long long)(t.tv_sec - t0.tv_sec));
	free(buf);
	for (i = 0; i < pool.n; i++)
		free(pool.v[i].data);
	free(pool.v);
	for (i = 0; i < ndict; i++)
		free(dict[i].data);
	return 0;
}
