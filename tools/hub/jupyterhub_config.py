"""JupyterHub for the course on 127.0.0.1: one instructor and a few students, each a
real user of this machine with their own home (made by tools/hub/setup).

The paths come from tools/hub/setup through the environment (NN_HUB_*). A real
deployment keeps this file and swaps the authenticator: PAM here (the local
accounts' passwords), OAuth (``oauthenticator``) or an LMS launch
(``jupyterhub-ltiauthenticator``) there; see docs/deploy.md.
"""

import os

c = get_config()  # noqa: F821  (JupyterHub provides get_config)

ROOT = os.environ["NN_HUB_ROOT"]            # the hub's venv, proxy and state
VENV = os.path.join(ROOT, "venv")
STATE = os.path.join(ROOT, "state")
INSTRUCTOR = os.environ["NN_HUB_INSTRUCTOR"]
STUDENTS = os.environ["NN_HUB_STUDENTS"].split()

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ.get('NN_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("NN_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('NN_HUB_PROXY_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.path.join(ROOT, "node", "node_modules", ".bin",
                                                "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# who may log in: the class's accounts (PAM checks their passwords)
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}
c.Authenticator.admin_users = {INSTRUCTOR}

# each user's JupyterLab runs as that user, from the shared course environment
c.Spawner.cmd = [os.path.join(VENV, "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": os.path.join(VENV, "bin") + ":/usr/bin:/bin"}
c.Spawner.args = ["--KernelManager.transport=ipc"]
c.Spawner.http_timeout = 60
# on shutdown each server gets SIGINT, then SIGTERM, then SIGKILL: a few seconds each
c.LocalProcessSpawner.interrupt_timeout = 4
c.LocalProcessSpawner.term_timeout = 3
c.LocalProcessSpawner.kill_timeout = 3
c.Spawner.start_timeout = 90

# benchmarks/bench_hub.py drives the hub through its REST API with a token of its own;
# a class's hub has no such service unless NN_HUB_API_TOKEN is set when it starts
if os.environ.get("NN_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "load-test", "api_token": os.environ["NN_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "load-test", "services": ["load-test"],
        "scopes": ["admin:users", "admin:servers", "access:servers"]}]
