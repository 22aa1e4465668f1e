"""The README's first command: scripts/demo.sh prints the alerts of the example
data (the worked case 237.86 %, the campaigns under their minimum) and exits 0."""
import os
import subprocess

import harness
from harness import check, run


def test_demo_script():
    src = harness.ARGS.source_dir
    r = subprocess.run(["bash", os.path.join(src, "scripts", "demo.sh")], cwd=src,
                       capture_output=True, text=True, timeout=240)
    out = r.stdout + r.stderr
    check(r.returncode == 0, "demo.sh exited %d:\n%s" % (r.returncode, out[-3000:]))
    for want in ("237.86% (2.38 per 1 spent)", "Summer Flights Search", "Cruise Retargeting",
                 "Black Friday Shoes", "sous le minimum convenu", "2 message(s)",
                 "roi_low", "demo finished"):
        check(want in out, "demo output lacks %r:\n%s" % (want, out[-3000:]))
    check("Loyalty SMS" not in out.split("== alert states")[0],
          "a campaign under the minimum spend was judged")


if __name__ == "__main__":
    run([test_demo_script])
