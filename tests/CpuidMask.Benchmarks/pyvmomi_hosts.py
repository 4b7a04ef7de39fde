#!/usr/bin/python3
"""Reads every host's CPU data with pyVmomi, the way a user would script it, for CpuidMask's benchmark.

Two scripts, timed from connecting to logging out (the interpreter's start and pyVmomi's import are not
counted, as they are not for CpuidMask):
  usual  the host list from a ContainerView, then for each host host.name, host.hardware.cpuFeature and
         host.config.featureCapability: three property reads per host, each a round trip (and each
         fetching the whole hardware or config object, as pyVmomi's attribute access does);
  best   one PropertyCollector RetrievePropertiesEx over a ContainerView of only the paths needed,
         paged with ContinueRetrievePropertiesEx: a few round trips whatever the host count.

Usage: VCSIM_PASSWORD=... /usr/bin/python3 pyvmomi_hosts.py --url URL --cacert PEM --user USER
Each stdin line "usual" or "best" runs that script once and prints "<milliseconds> <hosts read>".
Runs with Debian's python3-pyvmomi.
"""

import argparse
import os
import ssl
import sys
import time
import urllib.parse

from pyVmomi import SoapStubAdapter, VmomiSupport, vim, vmodl

# What CpuidMask reads (HostInventory.HostPaths).
PATHS = ["name", "parent", "runtime.connectionState", "hardware.cpuFeature", "summary.hardware.cpuModel",
         "config.featureCapability", "summary.maxEVCModeKey", "summary.currentEVCModeKey"]


def connect(args):
    url = urllib.parse.urlsplit(args.url)
    context = ssl.create_default_context(cafile=args.cacert)
    stub = SoapStubAdapter(host=url.hostname, port=url.port, path=url.path,
                           version=VmomiSupport.versionMap["vim25/6.7.1"], sslContext=context)
    instance = vim.ServiceInstance("ServiceInstance", stub)
    content = instance.RetrieveContent()
    content.sessionManager.Login(args.user, os.environ["VCSIM_PASSWORD"])
    return content


def usual(content):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    hosts = []
    for host in view.view:
        hosts.append((host.name, list(host.hardware.cpuFeature), list(host.config.featureCapability)))
    view.Destroy()
    return len(hosts)


def best(content):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    collector = vmodl.query.PropertyCollector
    spec = collector.FilterSpec(
        objectSet=[collector.ObjectSpec(obj=view, skip=True, selectSet=[
            collector.TraversalSpec(name="traverseView", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[collector.PropertySpec(type=vim.HostSystem, pathSet=PATHS)])
    pc = content.propertyCollector
    hosts = []
    result = pc.RetrievePropertiesEx([spec], collector.RetrieveOptions(maxObjects=500))
    while result is not None:
        hosts.extend({p.name: p.val for p in o.propSet} for o in result.objects)
        if not result.token:
            break
        result = pc.ContinueRetrievePropertiesEx(result.token)
    view.Destroy()
    return len(hosts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--cacert", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args()
    scripts = {"usual": usual, "best": best}
    for line in sys.stdin:
        name = line.strip()
        start = time.perf_counter()
        content = connect(args)
        count = scripts[name](content)
        content.sessionManager.Logout()
        print("%.3f %d" % ((time.perf_counter() - start) * 1000.0, count), flush=True)


if __name__ == "__main__":
    main()
