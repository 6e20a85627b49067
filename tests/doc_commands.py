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
- A training run (`npde` on a parameter file with `Mode = train` or
  `Mode = hyco`) is run
  with `--set "Trainer/Number of iterations=3"` added, and `doc/figure1.py`
  with `--iterations 3` added; both are otherwise as written.
- A command that appears again (the same benchmark in README and in
  doc/results.md) is run once.
- Commands of ParaView (`pvbatch`, `pvpython`) are skipped when ParaView is
  not installed (quickstart and CI install it). The GUI command
  `paraview FILE` is run on a virtual display (xvfb-run) with `--exit`, so
  that it starts, loads FILE and quits; it fails if ParaView reports that it
  cannot open FILE, or if ParaView's Python (OpenDataFile, UpdatePipeline)
  reads no points from it.

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
    r"^(\$ |\./|build/|npde |mpirun |mpiexec |cd |cmake |ctest|make |python3 |"
    r"/usr/bin/python3 |xvfb-run |pvbatch |pvpython |paraview |cp |sed |grep |"
    r"git |apt-get |sudo |env |export |[A-Z_]+=\S* )")


def pages(source):
    return [os.path.join(source, "README.md")] + sorted(
        glob.glob(os.path.join(source, "doc", "*.md")))


def scan(path):
    """The sh commands of a Markdown page and its stray command lines.

    A stray line is a command-like line outside a ```sh block (in another
    fence, or in an indented code block), a line that only changes the shell
    (`cd`, `export`: each command runs in a shell of its own, so write
    `cd build && ...`), or a continuation line that ends its block."""
    commands, stray = [], []
    fence = None
    pending = None
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            if fence is not None and pending is not None:
                stray.append((number, pending + " (a continuation that ends the block)"))
                pending = None
            fence = None if fence is not None else (stripped[3:].strip() or "text")
            continue
        if fence in ("sh", "bash", "shell"):
            if pending is not None:
                stripped = pending + " " + stripped
                pending = None
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.endswith("\\"):
                pending = stripped[:-1].strip()
                continue
            if re.match(r"^(cd|export)\s+[^&;|]*$", stripped):
                stray.append((number, stripped + " (changes only this command's shell)"))
                continue
            commands.append((number, stripped))
        elif (fence is not None or line.startswith(("    ", "\t"))) and \
                COMMAND_START.match(stripped):
            stray.append((number, stripped))
    if pending is not None:
        stray.append((number, pending + " (a continuation at the end of the page)"))
    return commands, stray


def is_training(command, scratch):
    for word in command.split():
        if word.endswith(".prm"):
            path = os.path.join(scratch, word)
            if os.path.isfile(path) and re.search(
                    r"^\s*set\s+Mode\s*=\s*(train|hyco)\b", open(path).read(), re.M):
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
    have_paraview = all(shutil.which(tool, path=environment["PATH"]) for tool in
                        ("pvpython", "pvbatch", "paraview", "xvfb-run"))
    skipped = 0

    failures, count, done = [], 0, set()
    # A command quoted inline (`build/npde ...` in a sentence) must be one of
    # the fenced commands, or the beginning of one, so that it is run too.
    scanned = [(page, scan(page)) for page in pages(source)]
    fenced = [c for _, (commands, _) in scanned for _, c in commands]
    for page, _ in scanned:
        text = open(page, encoding="utf-8").read()
        for span in re.findall(r"`([^`\n]+)`", text):
            if " " in span and "<" not in span and \
                    re.match(r"(build/|\./|mpirun |xvfb-run |python3 |/usr/bin/python3 |"
                             r"pvbatch |pvpython |paraview )", span) and \
                    not any(c == span or c.startswith(span + " ") for c in fenced):
                failures.append("%s: the inline command `%s` is not run: put it in a "
                                "```sh block" % (os.path.relpath(page, source), span))
    for page, (commands, stray) in scanned:
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
            # pvbatch's own probe of the X display aborts about one run in
            # four under Xvfb (Debian's ParaView 5.11); the option skips it.
            if re.search(r"\bpvbatch\b", command) and \
                    "--disable-xdisplay-test" not in command:
                failures.append("%s: pvbatch without --disable-xdisplay-test "
                                "(it aborts now and then under xvfb-run)" % where)
            if re.search(r"\b(pvbatch|pvpython|paraview)\b", command) and not have_paraview:
                print("[SKIP] %s: %s (ParaView is not installed)" % (where, command))
                skipped += 1
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
                run = ("timeout 120 xvfb-run -a paraview --exit %s 2>&1 | tee /dev/stderr | "
                       "(! grep -E 'Cannot open|ERROR') && "
                       "pvpython -c \"from paraview.simple import OpenDataFile; "
                       "r = OpenDataFile('%s'); r.UpdatePipeline(); "
                       "import sys; sys.exit(r.GetDataInformation().GetNumberOfPoints() == 0)\""
                       % (match.group(1), match.group(1)))
            elif "npde" in command and is_training(command, scratch):
                run = re.sub(r"(build/npde)\b",
                             r'\1 --set "Trainer/Number of iterations=3"', command, 1)
            elif "doc/figure1.py" in command:
                run = command + " --iterations 3"
            start = time.time()
            result = subprocess.run(["bash", "-c", "set -o pipefail; " + run], cwd=scratch,
                                    env=environment, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, timeout=600)
            status = "ok" if result.returncode == 0 else "FAILED (exit %d)" % result.returncode
            print("[RUN]  %s: %s -> %s, %.1f s" % (where, run, status, time.time() - start))
            if result.returncode != 0:
                print(result.stdout.decode(errors="replace")[-3000:])
                failures.append("%s: '%s' failed" % (where, command))
    print("%d commands in %d pages" % (count, len(scanned)))
    if skipped:
        print("%d ParaView commands skipped: ParaView is not installed "
              "(paraview, python3-paraview, xvfb, xauth)" % skipped)
    return failures


def strip_comments(code):
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    return re.sub(r"//[^\n]*", " ", code)


def class_bodies(code, cls):
    """The top level of every `class|struct|enum class|namespace cls {...}` in
    code: the body with the contents of nested braces (function bodies,
    nested classes) blanked out, so that only the scope's own declarations
    remain."""
    pattern = (r"\b(?:class|struct|namespace|enum\s+class|enum)\s+%s\b"
               r"\s*(?:<[^;{]*>)?\s*(?:final\s*)?(?::(?!:)[^;{]*)?\{" % cls)
    for match in re.finditer(pattern, code):
        depth, i, top = 1, match.end(), []
        while depth and i < len(code):
            c = code[i]
            if c == "{":
                depth += 1
                if depth == 2:
                    top.append("{")
            elif c == "}":
                depth -= 1
                if depth == 1:
                    top.append("}")
            elif depth == 1:
                top.append(c)
            i += 1
        yield "".join(top)


def names_in(code, cls, member):
    """Class<...>::member defined out of class, or member declared at the top
    level of the class (a function, a data member, a nested type, an
    enumerator)."""
    if re.search(r"\b%s(?:<[^<>]*(?:<[^<>]*>)?[^<>]*>)?::%s\s*[(<{;=,]" % (cls, member),
                 code):
        return True
    declaration = re.compile(
        r"(?:\b%s\s*[(;={[,}<]|\b%s\s*$|(?:class|struct|enum(?:\s+class)?|namespace)\s+%s\b)"
        % (member, member, member), re.M)
    return any(declaration.search(body) for body in class_bodies(code, cls))


def read_all(paths):
    return "".join(open(p, encoding="utf-8", errors="replace").read() for p in paths)


def check_names(source):
    code = strip_comments(read_all(
        glob.glob(os.path.join(source, "include", "npde", "*.h")) +
        glob.glob(os.path.join(source, "source", "*.cc"))))
    deal_ii = {}
    failures, count = [], 0
    for page in pages(source):
        text = open(page, encoding="utf-8").read()
        for span in re.findall(r"`([^`\n]+)`", text):
            # Every pair of a qualified name: A::B::c checks A::B and B::c.
            for chain in re.findall(r"\b[A-Za-z_]\w*(?:<[^>]*>)?(?:::~?\w+)+", span):
                parts = [re.sub(r"<.*", "", p) for p in chain.split("::")]
                if not parts[0][:1].isupper():
                    continue
                for cls, member in zip(parts, parts[1:]):
                    count += 1
                    if names_in(code, cls, member):
                        continue
                    # Not ours: a deal.II class's member, looked up in the
                    # installed deal.II headers that declare that class.
                    if cls not in deal_ii:
                        headers = subprocess.run(
                            ["grep", "-rlE", r"(class|struct|namespace) %s\b" % cls,
                             "/usr/include/deal.II"],
                            stdout=subprocess.PIPE, universal_newlines=True).stdout.split()
                        deal_ii[cls] = strip_comments(read_all(headers))
                    if names_in(deal_ii[cls], cls, member):
                        continue
                    failures.append("%s: `%s::%s` (in `%s`) is neither in include/, "
                                    "source/ nor deal.II"
                                    % (os.path.relpath(page, source), cls, member, span))
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
