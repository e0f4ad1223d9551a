#!/usr/bin/env python3
"""fc_config.py: write the Firecracker configuration file of t_linux.sh's boot from keel run's options.

Usage: fc_config.py OUT.json --kernel K --initrd I --cpus N --mem-mib M --cmdline STR
                    [--log PATH] [--metrics PATH] -- KEEL-RUN-OPTIONS...
What Firecracker's shape can say goes in its sections (a disk with an id and no placement item is a
"drives" entry, a tap NIC a "network-interfaces" entry, --rng the "entropy" section, --vsock the "vsock" one); the rest (a disk
placed on another transport, the console, a socket NIC, fw_cfg items, --rng's placement) goes in keel's
own section as the option's value, so the VM is the one `keel run` would build.
"""

import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    for o in ("--kernel", "--initrd", "--cpus", "--mem-mib", "--cmdline", "--log", "--metrics"):
        ap.add_argument(o)
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = ap.parse_args(argv[:cut])
    rest = argv[cut + 1:]
    doc = {
        "boot-source": {"kernel_image_path": a.kernel, "initrd_path": a.initrd, "boot_args": a.cmdline},
        "machine-config": {"vcpu_count": int(a.cpus), "mem_size_mib": int(a.mem_mib), "smt": False},
        "drives": [],
        "network-interfaces": [],
        "keel": {"transport": "pci", "disks": [], "net": [], "fw_cfg": []},
    }
    keel = doc["keel"]
    it = iter(rest)
    for opt in it:
        name, eq, val = opt.partition("=")
        if name in ("--disk", "--net", "--console", "--fw-cfg", "--vsock") and not eq:
            val = next(it)
        if name == "--disk":
            path, *items = val.split(",")
            ids = [i[3:] for i in items if i.startswith("id=")]
            others = [i for i in items if not i.startswith("id=") and i != "readonly"]
            if ids and not others:
                doc["drives"].append({"drive_id": ids[0], "path_on_host": path, "is_root_device": False,
                                      "is_read_only": "readonly" in items, "cache_type": "Writeback",
                                      "rate_limiter": None})
            else:
                keel["disks"].append(val)
        elif name == "--net":
            kind, _, spec = val.partition(":")
            parts = spec.split(",")
            if kind == "tap" and all(p.startswith("mac=") for p in parts[1:]):
                nic = {"iface_id": f"eth{len(doc['network-interfaces'])}", "host_dev_name": parts[0],
                       "rx_rate_limiter": {}, "tx_rate_limiter": {}}
                for p in parts[1:]:
                    nic["guest_mac"] = p[4:]
                doc["network-interfaces"].append(nic)
            else:
                keel["net"].append(val)
        elif name == "--console":
            keel["console"] = val
        elif name == "--fw-cfg":
            keel["fw_cfg"].append(val)
        elif name == "--vsock":
            items = dict(i.partition("=")[::2] for i in val.split(","))
            if set(items) != {"cid", "uds"}:
                sys.exit(f"fc_config.py: --vsock {val}: only cid= and uds= can be said in the vsock section")
            doc["vsock"] = {"guest_cid": int(items["cid"]), "uds_path": items["uds"]}
        elif name == "--rng":
            if eq:
                keel["rng"] = val
            else:
                doc["entropy"] = {"rate_limiter": None}
        else:
            sys.exit(f"fc_config.py: {opt}: not translated")
    if a.log:
        doc["logger"] = {"log_path": a.log, "level": "Info", "show_level": True, "show_log_origin": True}
    if a.metrics:
        doc["metrics"] = {"metrics_path": a.metrics}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
