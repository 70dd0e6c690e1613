#!/usr/bin/env python3
"""The image's runtime stage (docker/Dockerfile) provides every library the built binary needs.

No container engine runs here, so the image itself is not built: instead every library `ldd`
resolves for the binary is traced to its Debian package (`dpkg -S`), and each must be installed
in the runtime image: listed in the runtime stage's `apt-get install`, pulled in by a listed
package (Depends and Pre-Depends, recursively, from this machine's package database), or of
priority "required", which debian:12-slim holds. The check is made twice: with the Dockerfile's
list it must pass; with one of the binary's own packages taken out (one no other package pulls in) it must
fail, so that this
test is known to catch a missing package.

Usage: runtime_packages_test.py BINARY DOCKERFILE
"""

import re
import subprocess
import sys


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def runtime_packages(dockerfile):
    """The packages the last stage installs with apt-get install."""
    text = open(dockerfile, encoding="utf-8").read().replace("\\\n", " ")
    stages = re.split(r"^FROM\s", text, flags=re.M)
    packages = []
    for line in stages[-1].splitlines():
        for command in line.split("&&"):
            words = command.split()
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1:]
                packages += [w for w in after if not w.startswith("-")]
    if not packages:
        sys.exit(f"{dockerfile}: its last stage installs no packages")
    return packages


def library_packages(binary):
    """{library path: package} for every library ldd resolves."""
    out = {}
    for line in run("ldd", binary).splitlines():
        m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if not m:
            continue
        path = m.group(1)
        owners = None
        for candidate in (path, path.replace("/lib/", "/usr/lib/", 1)):
            try:
                owners = run("dpkg", "-S", candidate)
                break
            except subprocess.CalledProcessError:
                continue
        if owners is None:
            sys.exit(f"{binary}: no Debian package holds {path}")
        out[path] = owners.split(":")[0].strip()
    return out


def installed_database():
    fields = "${Package}\t${Priority}\t${Depends}, ${Pre-Depends}\n"
    priority, depends = {}, {}
    for line in run("dpkg-query", "-W", "-f", fields).splitlines():
        name, prio, deps = line.split("\t")
        priority[name] = prio
        names = set()
        for alternative in deps.split(","):
            first = alternative.split("|")[0].strip()
            if first:
                names.add(re.split(r"[\s(:]", first)[0])
        depends[name] = names
    return priority, depends


def provided(listed, priority, depends):
    have, todo = set(), list(listed)
    while todo:
        name = todo.pop()
        if name in have:
            continue
        have.add(name)
        todo += depends.get(name, ())
    return have | {name for name, prio in priority.items() if prio == "required"}


def missing(listed, libraries, priority, depends):
    have = provided(listed, priority, depends)
    return {path: pkg for path, pkg in libraries.items() if pkg.split(":")[0] not in have}


def main():
    binary, dockerfile = sys.argv[1], sys.argv[2]
    listed = runtime_packages(dockerfile)
    libraries = library_packages(binary)
    priority, depends = installed_database()
    absent = missing(listed, libraries, priority, depends)
    if absent:
        for path, pkg in sorted(absent.items()):
            print(f"{dockerfile}: the runtime stage lacks {pkg} (for {path})")
        sys.exit(1)
    # The binary's own direct dependency, taken out of the list, must be caught.
    direct = run("objdump", "-p", binary)
    needed = re.findall(r"NEEDED\s+(\S+)", direct)
    own = [pkg for path, pkg in libraries.items()
           if any(path.endswith("/" + n) for n in needed) and pkg in listed]
    if not own:
        sys.exit(f"{dockerfile}: none of the binary's direct libraries is listed; nothing to test")
    caught = [pkg for pkg in own
              if missing([p for p in listed if p != pkg], libraries, priority, depends)]
    if not caught:
        sys.exit(f"without any one of {own} the check still passed: it cannot catch a missing "
                 "package")
    print(f"{len(libraries)} libraries, all provided by the runtime stage's {len(listed)} packages")


if __name__ == "__main__":
    main()
