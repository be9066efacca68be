# Stand-in for the pip bootstrap script ansible-test normally downloads (get-pip-<version>.py). That script's
# host is not reachable from our CI machines, and ansible-test accepts a file placed in its cache instead
# (~/.ansible/test/cache/get_pip_<version>.py). This one does the same job from what is at hand: pip from the
# interpreter's own ensurepip, then the packages ansible-test asked for, from the package index.
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}  # get-pip options that "pip install" does not know

args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + args)
