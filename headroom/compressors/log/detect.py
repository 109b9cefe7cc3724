"""Whether a piece is a log: JSON log records, or enough log, build and test-runner lines, or a crash at its end."""

from __future__ import annotations

import re

from headroom.compressors.log._parse import ends_in_crash, looks_like_json_log
from headroom.plugins import Detector, line_share

__all__ = ["DETECTORS", "is_log"]

# ``^={5}.*={5}$`` (a banner) matches the lines ``^={5,}.*={5,}$`` did (``.*`` takes the extra '='); the
# former tried every split of a long run of '=' three ways, cubic: 104 s on one 5,000-character line
_LOG_RE = re.compile(
    r"(^\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\b(DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|TRACE)\b"
    r"|^\[\s*\d+\.\d+\]|^(npm (ERR!|WARN|error|warn)|error(\[E\d+\])?:|warning:)|^={5}.*={5}$"
    r"|\b(PASSED|FAILED|SKIPPED|XFAIL|ERROR)\b|::test|\.\.\. (ok|FAIL|ERROR|skipped)|^test \S+ \.\.\. "
    r"|^\S+:\d+:\d+: (error|warning|note):|^\s*(Compiling|Finished|Running|Downloaded|Checking) "
    r"|^\s*(Collecting|Building|Created wheel|Installing|Successfully|Requirement already"
    r"|copying|creating|writing|running) "
    r"|^(gcc|g\+\+|cc|clang|make)(\[\d+\])?[: ]"
    r"|^(Setting up|Unpacking|Preparing to unpack|Selecting previously|Processing triggers) "
    r"|^(not )?ok \d+\b|^# (Subtest|tests|pass|fail)\b"
    # pip -v: what it prints between the lines above (issue 11: such output routed as text)
    r"|^\s*(Using pip|Looking in indexes|Created temporary directory|Skipping link|Found link|Fetched page"
    r"|Getting page|Running command|Source in|(Added|Removed) \S.* (to|from) build tracker|Obtaining|Downloading"
    r"|Using cached|Stored in directory|Preparing metadata|Getting requirements|Initialized build tracking"
    r"|Entered build tracker|Link requires|Skipping) )",
    re.I,
)


def is_log(text: str) -> bool:
    return line_share(text, _LOG_RE, 0.3) or ends_in_crash(text)


DETECTORS = (Detector("jsonlog", "log", looks_like_json_log), Detector("log", "log", is_log))
