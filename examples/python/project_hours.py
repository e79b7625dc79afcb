#!/usr/bin/env python3
"""How many node-hours are left in each of your projects, for you and for the whole project.
Hours used are the node-hours (elapsed time x nodes) of finished jobs charged to the project
(#SBATCH --account, or the system's default account).

    SFAPI_KEY=... python3 project_hours.py

sfapi_client:
    for project in client.user().projects():
        print(project.repo_name, project.project_hours_given - project.project_hours_used)
"""

from sfapi_session import connect, get

with connect() as session:
    me = get(session, "account/")  # {"uid", "name", "firstname", ...}
    print(f"projects of {me['name']}:")
    for p in get(session, "account/projects"):
        left = p["project_hours_given"] - p["project_hours_used"]
        print(f"  {p['repo_name']}: {left:.2f} of {p['project_hours_given']:g} node-hours left "
              f"(you used {p['hours_used']:.4f}; CPU {p['cpu_hours_given']:g}, "
              f"GPU {p['gpu_hours_given']:g} given)")
