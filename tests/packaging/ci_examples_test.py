#!/usr/bin/env python3
"""The CI examples (examples/ci) parse, and the local drill each runs passes as written.

Each file is read by PyYAML. From GitHub's, the run commands of the step named "Local drill";
from GitLab's, the script of the job local-drill. Each is run by bash in a directory of its own
(the repository's scenarios/ linked in, so that the example's relative paths hold), with the
built firedrill first on PATH, as the example's build step leaves it; it must exit 0 and write
junit.xml where the example's test report looks for it.

Usage: ci_examples_test.py SOURCE_DIR FIREDRILL_BINARY
"""

import glob
import os
import subprocess
import sys
import tempfile

import yaml


def github_local_commands(doc):
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            if step.get("name") == "Local drill":
                return step["run"], "out/*/junit.xml"
    sys.exit("github-actions.yml: no step named 'Local drill'")


def gitlab_local_commands(doc):
    job = doc.get("local-drill") or sys.exit("gitlab-ci.yml: no job local-drill")
    base = doc.get(job.get("extends", ""), {})
    reports = (job.get("artifacts") or base.get("artifacts"))["reports"]["junit"]
    return "\n".join(job["script"]), reports


def run_local(name, commands, reports, source, binary):
    with tempfile.TemporaryDirectory() as work:
        os.symlink(os.path.join(source, "scenarios"), os.path.join(work, "scenarios"))
        env = dict(os.environ, PATH=os.path.dirname(binary) + os.pathsep + os.environ["PATH"])
        print(f"{name}: {commands.strip()}", flush=True)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", commands], cwd=work, env=env,
                              timeout=600)
        if done.returncode != 0:
            sys.exit(f"{name}: the local drill exited {done.returncode}")
        if not glob.glob(os.path.join(work, reports)):
            sys.exit(f"{name}: no {reports} for the test report")


def main():
    source, binary = sys.argv[1], sys.argv[2]
    examples = os.path.join(source, "examples", "ci")
    with open(os.path.join(examples, "github-actions.yml"), encoding="utf-8") as f:
        github = yaml.safe_load(f)
    with open(os.path.join(examples, "gitlab-ci.yml"), encoding="utf-8") as f:
        gitlab = yaml.safe_load(f)
    for name, (commands, reports) in (("github-actions.yml", github_local_commands(github)),
                                      ("gitlab-ci.yml", gitlab_local_commands(gitlab))):
        run_local(name, commands, reports, source, binary)
    print("both examples parse and their local drills pass")


if __name__ == "__main__":
    main()
