"""Every shell command in README.md and doc/*.md is run (by this test or CI).

Usage:
  python3 doc_commands.py commands <source dir> <build dir> <scratch dir>
  python3 doc_commands.py names <source dir>

`commands`: collects the shell commands of README.md and doc/*.md, which
live in fenced blocks marked ```sh (one command per line, `#` comments
allowed, a trailing backslash continues a line), and runs each of them with
bash, in order, from a scratch copy of the repository (prm/ and doc/ are
copied so that the commands may write there, build/ is a link to the build
tree, everything else a link to the sources). It fails when a command fails,
and when a README or doc/ page has a command-like line outside such a block,
so that no command escapes this test, and when a command quoted inline in a
sentence is not one of the fenced commands (or the start of one). Exceptions,
each printed:
- `./quickstart test`, `./quickstart example` and the `ctest` line install,
  build or run this very suite; they are checked to be what CI runs
  (.ci/run and quickstart), and CI runs them.
- A training run (`npde` on a parameter file with `Mode = train`) is run
  with `--set "Trainer/Number of iterations=3"` added, and `doc/figure1.py`
  with `--iterations 3` added; both are otherwise as written.
- A command that appears again (the same benchmark in README and in
  doc/results.md) is run once.
- Commands of ParaView (`pvbatch`, `pvpython`) are skipped when ParaView is
  not installed (quickstart and CI install it). The GUI command
  `paraview FILE` is run on a virtual display (xvfb-run) with `--exit`, so
  that it starts, loads FILE and quits; it fails if ParaView reports that it
  cannot open FILE, or if ParaView's Python (OpenDataFile) does not accept
  FILE.

`names`: every `Class::function` written in backticks in README.md and
doc/*.md names something that exists: in include/npde/ or source/, or, for
deal.II's classes, in the installed deal.II headers; so that the
documentation's pointers into the code do not go stale.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

COMMAND_START = re.compile(
    r"^(\./|build/|mpirun |cd |cmake |ctest|make |python3 |/usr/bin/python3 |"
    r"xvfb-run |pvbatch |pvpython |paraview |cp |sed |grep |git |apt-get )")


def pages(source):
    return [os.path.join(source, "README.md")] + sorted(
        glob.glob(os.path.join(source, "doc", "*.md")))


def scan(path):
    """The sh commands of a Markdown page and its stray command lines."""
    commands, stray = [], []
    fence = None
    pending = ""
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else (stripped[3:].strip() or "text")
            continue
        if fence in ("sh", "bash", "shell"):
            if pending:
                stripped = pending + " " + stripped
                pending = ""
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.endswith("\\"):
                pending = stripped[:-1].strip()
                continue
            commands.append((number, stripped))
        elif (fence is not None or line.startswith("    ")) and \
                COMMAND_START.match(stripped):
            stray.append((number, stripped))
    return commands, stray


def is_training(command, scratch):
    for word in command.split():
        if word.endswith(".prm"):
            path = os.path.join(scratch, word)
            if os.path.isfile(path) and re.search(
                    r"^\s*set\s+Mode\s*=\s*train\b", open(path).read(), re.M):
                return True
    return False


def run_commands(source, build, scratch):
    if os.path.exists(scratch):
        shutil.rmtree(scratch)
    os.makedirs(scratch)
    for entry in os.listdir(source):
        if entry in ("build", "npde-output", ".git"):
            continue
        if entry in ("prm", "doc"):
            shutil.copytree(os.path.join(source, entry), os.path.join(scratch, entry))
        elif entry == "README.md":
            shutil.copy(os.path.join(source, entry), scratch)
        else:
            os.symlink(os.path.join(source, entry), os.path.join(scratch, entry))
    os.symlink(build, os.path.join(scratch, "build"))

    ci = open(os.path.join(source, ".ci", "run")).read()
    quickstart = open(os.path.join(source, "quickstart")).read()
    environment = dict(os.environ)
    # Debian's python3 (with python3-matplotlib) first, as on a fresh machine.
    environment["PATH"] = "/usr/bin:/bin:" + environment.get("PATH", "")
    environment.update(OMPI_ALLOW_RUN_AS_ROOT="1",
                       OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                       OMPI_MCA_rmaps_base_oversubscribe="1")
    have_paraview = shutil.which("pvpython", path=environment["PATH"]) is not None

    failures, count, done = [], 0, set()
    # A command quoted inline (`build/npde ...` in a sentence) must be one of
    # the fenced commands, or the beginning of one, so that it is run too.
    fenced = [c for page in pages(source) for _, c in scan(page)[0]]
    for page in pages(source):
        text = open(page, encoding="utf-8").read()
        for span in re.findall(r"`([^`\n]+)`", text):
            if " " in span and "<" not in span and \
                    re.match(r"(build/|\./|mpirun |xvfb-run |/usr/bin/python3 )", span) and \
                    not any(c == span or c.startswith(span + " ") for c in fenced):
                failures.append("%s: the inline command `%s` is not run: put it in a "
                                "```sh block" % (os.path.relpath(page, source), span))
    for page in pages(source):
        commands, stray = scan(page)
        name = os.path.relpath(page, source)
        for number, line in stray:
            failures.append("%s:%d: a command outside a ```sh block: %s"
                            % (name, number, line))
        for number, command in commands:
            count += 1
            where = "%s:%d" % (name, number)
            if command.startswith("./quickstart"):
                ok = re.search(r"^" + re.escape(command) + r"\s*$", ci, re.M)
                print("[CI]   %s: %s (%s)" % (where, command,
                      "run by .ci/run" if ok else "NOT in .ci/run"))
                if not ok:
                    failures.append("%s: '%s' is not run by .ci/run" % (where, command))
                continue
            if re.match(r"cd build && ctest", command):
                ok = command[len("cd build && "):] in quickstart
                print("[CI]   %s: %s (%s)" % (where, command,
                      "run by ./quickstart test" if ok else "NOT what quickstart runs"))
                if not ok:
                    failures.append("%s: '%s' is not what ./quickstart test runs"
                                    % (where, command))
                continue
            if re.search(r"\b(pvbatch|pvpython|paraview)\b", command) and not have_paraview:
                print("[SKIP] %s: %s (ParaView is not installed)" % (where, command))
                continue
            if command in done:
                print("[RUN]  %s: %s (run above already)" % (where, command))
                continue
            done.add(command)
            run = command
            match = re.match(r"^paraview\s+(\S+)$", command)
            if match:
                # The GUI itself, on a virtual display, told to exit once it
                # has started and loaded the file (it reports a file it
                # cannot open on its output but still exits 0); then
                # ParaView's reader selection in Python must accept the file.
                run = ("xvfb-run -a paraview --exit %s 2>&1 | tee /dev/stderr | "
                       "(! grep -E 'Cannot open|ERROR') && "
                       "pvpython -c \"from paraview.simple import OpenDataFile; "
                       "import sys; sys.exit(OpenDataFile('%s') is None)\""
                       % (match.group(1), match.group(1)))
            elif "npde" in command and is_training(command, scratch):
                run = re.sub(r"(build/npde)\b",
                             r'\1 --set "Trainer/Number of iterations=3"', command, 1)
            elif "doc/figure1.py" in command:
                run = command + " --iterations 3"
            start = time.time()
            result = subprocess.run(["bash", "-c", "set -o pipefail; " + run], cwd=scratch,
                                    env=environment, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, timeout=900)
            status = "ok" if result.returncode == 0 else "FAILED (exit %d)" % result.returncode
            print("[RUN]  %s: %s -> %s, %.1f s" % (where, run, status, time.time() - start))
            if result.returncode != 0:
                print(result.stdout.decode(errors="replace")[-3000:])
                failures.append("%s: '%s' failed" % (where, command))
    print("%d commands in %d pages" % (count, len(pages(source))))
    return failures


def class_bodies(code, cls):
    """The bodies of every `class cls {...}`/`struct cls {...}` in code."""
    for match in re.finditer(r"\b(?:class|struct)\s+%s\b[^;{]*\{" % cls, code):
        depth, i = 1, match.end()
        while depth and i < len(code):
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        yield code[match.end():i]


def names_in(code, cls, member):
    """Class<...>::member defined out of class, or member in the class body."""
    if re.search(r"\b%s(?:<[^>]*>)?::%s\b" % (cls, member), code):
        return True
    return any(re.search(r"\b%s\b" % member, body)
               for body in class_bodies(code, cls))


def read_all(paths):
    return "".join(open(p, encoding="utf-8", errors="replace").read() for p in paths)


def check_names(source):
    code = read_all(glob.glob(os.path.join(source, "include", "npde", "*.h")) +
                    glob.glob(os.path.join(source, "source", "*.cc")))
    failures, count = [], 0
    for page in pages(source):
        text = open(page, encoding="utf-8").read()
        for span in re.findall(r"`([^`\n]+)`", text):
            for cls, member in re.findall(r"\b([A-Z]\w*)(?:<[^>]*>)?::(~?\w+)", span):
                count += 1
                if names_in(code, cls, member):
                    continue
                # Not ours: a deal.II class's member, looked up in the
                # installed deal.II headers that declare that class.
                headers = subprocess.run(
                    ["grep", "-rlE", r"(class|struct) %s\b" % cls, "/usr/include/deal.II"],
                    stdout=subprocess.PIPE, universal_newlines=True).stdout.split()
                if headers and names_in(read_all(headers), cls, member):
                    continue
                failures.append("%s: `%s::%s` is neither in include/, source/ nor deal.II"
                                % (os.path.relpath(page, source), cls, member))
    print("%d Class::member names checked" % count)
    return failures


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "commands":
        failures = run_commands(*[os.path.abspath(a) for a in sys.argv[2:5]])
    else:
        failures = check_names(os.path.abspath(sys.argv[2]))
    for failure in failures:
        print("FAIL:", failure)
    print("FAILED" if failures else "PASSED")
    sys.exit(1 if failures else 0)
