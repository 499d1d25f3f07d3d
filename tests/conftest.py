import sys
from pathlib import Path

# tests/ on the path, so that test modules can `import harness`
sys.path.insert(0, str(Path(__file__).resolve().parent))
