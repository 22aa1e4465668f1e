/*
 * The document of a notice: every word of a message, already in the client's
 * language and formats, laid out as a greeting, one block per event (what,
 * where, how bad, and label/value lines) and closing lines. Each rendering
 * (plain text, HTML e-mail, every chat format) lays this document out in its
 * own way and adds no words of its own, so a message reads the same in every
 * receiver and a translation is made once. Pure.
 */
#ifndef ROIWATCH_NOTICE_DOC_H
#define ROIWATCH_NOTICE_DOC_H
#include <stddef.h>

struct notice;

/* How an event should look: the colour or emoji a renderer gives it. */
enum ndoc_tone {
	NDOC_BAD,	/* a critical alert */
	NDOC_WARN,	/* a warning, a flapping rule */
	NDOC_INFO,	/* information */
	NDOC_GOOD,	/* a target reached, an alert resolved */
	NDOC_TONE_MAX
};

struct ndoc_field {
	char	*label;		/* "ROI", "Judged over", ... */
	char	*value;
};

struct ndoc_event {
	size_t			 idx;		/* 1, 2, ... within the notice */
	char			*subject;	/* "Campaign "spring" (meta)" */
	char			*title;		/* "ROI under the agreed minimum" */
	char			*tag;		/* the rule's severity ("critical")
						   or NULL */
	enum ndoc_tone		 tone;
	struct ndoc_field	*fields;
	size_t			 nfields;
	size_t			 cap;
};

struct ndoc {
	const char		*language;	/* the notice's */
	const char		*label_sep;	/* ":" or "\u00a0:" */
	char			*subject;	/* the message's subject line */
	char			*greeting;	/* "Hello," */
	char			*intro;		/* what was evaluated */
	char			*test_note;	/* NULL unless a test message */
	char			*catchup;	/* NULL unless earlier events were
						   folded into this one message */
	struct ndoc_event	*events;
	size_t			 nevents;
	char			*unreadable;	/* NULL, or events left out */
	char			*footnote;	/* how to read the figures */
	char			*signature;	/* "roiwatch" */
};

struct ndoc	*notice_doc(const struct notice *);
void		 ndoc_free(struct ndoc *);
/* Add a label/value line to an event (copies both). */
void		 ndoc_add(struct ndoc_event *, const char *label,
		    const char *value);
/* The head of an event as the plain text writes it:
 * "2. Campaign "X" (meta): CPA above 40.00 € [critical]" (caller frees). */
char		*ndoc_head(const struct ndoc *, const struct ndoc_event *);
/* The plain-text body (notice_body_text()). */
char		*ndoc_text(const struct ndoc *);
/* The HTML body of the e-mail (notice-html.c): inline styles, every text
 * escaped, no word of its own. */
char		*ndoc_html(const struct ndoc *);

#endif
