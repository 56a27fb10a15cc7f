#!/usr/bin/env python3
"""seccomp-numa.py - derive a seccomp profile that lets numarun set memory policies and migrate pages
without CAP_SYS_NICE, from a container engine's default profile (Docker's, containerd's or podman's).

    seccomp-numa.py [DEFAULT.json] > seccomp-numa.json

The calls are taken out of every other rule (an unconditional refusal, or an allowance that requires
CAP_SYS_NICE) and allowed by one rule of their own; everything else in the profile stays as it is.
Without an argument, podman's /usr/share/containers/seccomp.json is read.
"""
import json
import sys

NUMA_CALLS = ["get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind",
              "migrate_pages", "move_pages"]


def derive(profile):
    rules = []
    for rule in profile.get("syscalls", []):
        names = [n for n in rule.get("names", []) if n not in NUMA_CALLS]
        if not names:
            continue
        rules.append(dict(rule, names=names))
    rules.insert(0, {"names": NUMA_CALLS, "action": "SCMP_ACT_ALLOW",
                     "comment": "numarun: memory policies and page migration without CAP_SYS_NICE"})
    return dict(profile, syscalls=rules)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/containers/seccomp.json"
    with open(path) as f:
        profile = json.load(f)
    json.dump(derive(profile), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
