#!/usr/bin/env python3
"""Usage: shell-complete.py zsh|fish SCRIPT VMTUNE

Types command lines into a real interactive zsh or fish (on a pseudo-terminal), presses TAB and
checks what the shell completes or offers, with the completion script that
`vmtune --generate-completion-script zsh|fish` printed (SCRIPT) and VMTUNE on the PATH (the script
calls it back for profile and knob names). Prints "ok" or "FAIL" per case; exits 1 on a failure.
Used by the CLI tests and by `make deb-test` on the installed package's scripts.
"""
import os, pty, re, select, shutil, sys, tempfile, time

shell, script, vmtune = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
work = tempfile.mkdtemp(prefix="vmtune-complete.")
bindir = os.path.join(work, "bin")
os.makedirs(bindir)
os.symlink(vmtune, os.path.join(bindir, "vmtune"))
env = dict(os.environ, PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"), TERM="xterm",
           HOME=work, NO_COLOR="1")
if shell == "zsh":
    fdir = os.path.join(work, "functions")
    os.makedirs(fdir)
    shutil.copy(script, os.path.join(fdir, "_vmtune"))
    with open(os.path.join(work, ".zshrc"), "w") as f:
        f.write("fpath=(%s $fpath)\nautoload -U compinit\ncompinit -u -d %s/.zcompdump\nPS1='> '\n"
                % (fdir, work))
    env["ZDOTDIR"] = work
    argv = ["zsh", "-i"]
else:
    argv = ["fish", "--no-config", "-i", "-C", "set -g fish_greeting; function fish_prompt; echo '> '; end; "
            "source " + script]

def read(fd, seconds, quiet=0.6):
    """What the shell prints within `seconds`, stopping early once it has been quiet for `quiet` s."""
    out, end, last = b"", time.time() + seconds, None
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            last = time.time()
        elif last is not None and time.time() - last >= quiet:
            break
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r", "", out.decode(errors="replace"))

def complete(line):
    """What the terminal shows after typing `line` and pressing TAB."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    read(fd, 5, quiet=1.0)            # start-up, prompt
    os.write(fd, line.encode())
    read(fd, 1, quiet=0.3)
    os.write(fd, b"\t")
    shown = read(fd, 5, quiet=1.0)
    os.write(fd, b"\x03")
    os.write(fd, b"exit\n")
    read(fd, 1, quiet=0.3)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    return shown

failed = 0
cases = [
    ("vmtune pl", ["plan"]),                                   # subcommands
    ("vmtune plan kv", ["kvm-host"]),                          # profile names, from vmtune
    ("vmtune explain min_", ["min_free_kbytes", "min_slab_ratio"]),   # knob names, from vmtune
    ("vmtune apply --persist-f", ["--persist-file"]),          # options
]
for line, want in cases:
    shown = complete(line)
    # A single match is inserted after the typed text (zsh: "an " after "vmtune pl"); several are listed.
    missing = [w for w in want if w not in shown and w not in line + shown]
    if missing:
        failed = 1
        print("FAIL %s %r: %s not offered; the terminal showed %r" % (shell, line, ", ".join(missing), shown[-400:]))
    else:
        print("ok %s %r: %s" % (shell, line, ", ".join(want)))
shutil.rmtree(work, ignore_errors=True)
sys.exit(failed)
