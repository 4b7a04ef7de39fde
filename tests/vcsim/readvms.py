#!/usr/bin/python3
"""Reads every VM of the test vCenter with pyVmomi and prints them as JSON.

The tests' independent reader: what a test checks with it was read without CpuidMask's own
vSphere client. It logs in to the simulator, trusting exactly the certificate the launcher
wrote with -cert-out, and by default reads through the launcher's direct endpoint
(/direct/sdk), which no fault, delay or request-log line touches, so the answer is the
simulator's real state whatever faults are armed.

Usage:
    VCSIM_PASSWORD=... /usr/bin/python3 readvms.py --url https://127.0.0.1:PORT/sdk \\
        --cacert vcsim.pem --user administrator@vsphere.local [--vm NAME ...] [--through-faults]

Output (stdout): a JSON array sorted by VM name, one object per VM:
    {"name": "web01", "moref": "vm-31", "changeVersion": "2026-...Z" or null,
     "extraConfig": [{"key": "...", "value": "..."}, ...],          # server order, duplicates kept
     "featureMask": [{"key": "...", "featureName": "...", "value": "..."}, ...]}
Exit status: 0 done; 1 the simulator could not be read (message on stderr); 2 bad arguments.

With --serve it stays logged in and answers requests, one a line: each line read from stdin is a
JSON array of VM names ([] for all) and gets one line on stdout, the compact JSON array as
above, or {"error": "..."}; end of stdin ends it. A test that reads often saves the start-up.

Runs with Debian's interpreter and package (python3-pyvmomi): call /usr/bin/python3, since a
python3 found first on PATH (pyenv, a venv) may not see Debian's modules.
"""

import argparse
import json
import os
import ssl
import sys
import urllib.parse

try:
    from pyVmomi import SoapStubAdapter, VmomiSupport, vim, vmodl
except ImportError:
    sys.stderr.write("readvms.py: pyVmomi is missing; install it with: apt-get install -y python3-pyvmomi "
                     "(and run this script with /usr/bin/python3)\n")
    sys.exit(1)

DIRECT_PATH = "/direct/sdk"
PROPERTIES = ["name", "config.changeVersion", "config.extraConfig", "runtime.featureMask"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Print the test vCenter's VMs as JSON (name, moref, "
                                                 "config.changeVersion, config.extraConfig, runtime.featureMask).")
    parser.add_argument("--url", required=True, help="the launcher's VCSIM_URL, https://127.0.0.1:PORT/sdk")
    parser.add_argument("--cacert", required=True, help="the certificate written by the launcher's -cert-out")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-env", default="VCSIM_PASSWORD",
                        help="environment variable holding the password (default VCSIM_PASSWORD)")
    parser.add_argument("--vm", action="append", default=[], metavar="NAME",
                        help="only this VM (repeatable); a name that no VM has is an error")
    parser.add_argument("--through-faults", action="store_true",
                        help="read through the URL's own path (/sdk), where faults and delays apply")
    parser.add_argument("--serve", action="store_true",
                        help="answer one JSON array of VM names per stdin line with one JSON line (see above)")
    return parser.parse_args(argv)


def text(value):
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def connect(args):
    url = urllib.parse.urlsplit(args.url)
    if url.scheme != "https" or not url.hostname or not url.port:
        raise ValueError("--url %r: expected https://HOST:PORT/sdk" % args.url)
    password = os.environ.get(args.password_env)
    if password is None:
        raise ValueError("the environment variable %s holds no password" % args.password_env)
    context = ssl.create_default_context(cafile=args.cacert)
    path = url.path if args.through_faults else DIRECT_PATH
    stub = SoapStubAdapter(host=url.hostname, port=url.port, path=path,
                           version=VmomiSupport.versionMap["vim25/6.7.1"], sslContext=context)
    instance = vim.ServiceInstance("ServiceInstance", stub)
    content = instance.RetrieveContent()
    content.sessionManager.Login(args.user, password)
    return content


def read_vms(content):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        spec = vmodl.query.PropertyCollector.FilterSpec(
            objectSet=[vmodl.query.PropertyCollector.ObjectSpec(
                obj=view, skip=True,
                selectSet=[vmodl.query.PropertyCollector.TraversalSpec(type=vim.view.ContainerView, path="view", skip=False)])],
            propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=PROPERTIES)])
        collector = content.propertyCollector
        objects = []
        result = collector.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions())
        while result is not None:
            objects.extend(result.objects)
            result = collector.ContinueRetrievePropertiesEx(result.token) if result.token else None
    finally:
        view.DestroyView()

    vms = []
    for obj in objects:
        props = {p.name: p.val for p in obj.propSet}
        vms.append({
            "name": props.get("name"),
            "moref": obj.obj._moId,
            "changeVersion": text(props.get("config.changeVersion")),
            "extraConfig": [{"key": o.key, "value": text(o.value)} for o in props.get("config.extraConfig") or []],
            "featureMask": [{"key": m.key, "featureName": m.featureName, "value": m.value}
                            for m in props.get("runtime.featureMask") or []],
        })
    vms.sort(key=lambda vm: vm["name"] or "")
    return vms


def select(vms, names):
    """The named VMs (all for no names); a name that no VM has is an error."""
    if not names:
        return vms
    missing = [name for name in names if name not in {vm["name"] for vm in vms}]
    if missing:
        raise LookupError("no VM named %s" % ", ".join(missing))
    return [vm for vm in vms if vm["name"] in names]


def describe(e):
    message = getattr(e, "msg", None) or str(e)
    return "%s: %s" % (type(e).__name__, message)


def serve(content):
    for line in sys.stdin:
        try:
            names = json.loads(line)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ValueError("expected a JSON array of VM names, got %r" % line.strip())
            answer = select(read_vms(content), names)
        except Exception as e:  # one bad request does not end the reader
            answer = {"error": describe(e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def main(argv):
    args = parse_args(argv)
    try:
        content = connect(args)
    except ValueError as e:
        sys.stderr.write("readvms.py: %s\n" % e)
        return 2
    except Exception as e:  # a connection, TLS or SOAP failure: say what it was
        sys.stderr.write("readvms.py: connecting to %s failed: %s\n" % (args.url, describe(e)))
        return 1
    try:
        if args.serve:
            serve(content)
            return 0
        vms = select(read_vms(content), args.vm)
    except Exception as e:
        sys.stderr.write("readvms.py: reading %s failed: %s\n" % (args.url, describe(e)))
        return 1
    finally:
        try:
            content.sessionManager.Logout()
        except Exception:  # the simulator may already be gone; the session dies with it
            pass
    json.dump(vms, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
