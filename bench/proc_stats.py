"""What /proc tells about a process, for the benchmarks and the soak test."""


def rss_mb(pid):
    """Resident memory of process `pid` in MB (VmRSS), 0.0 if not shown."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
