"""The CPU a snippet's output can depend on: the vector instruction set (ISA) Inductor picks.

Inductor writes C++ for the CPU it runs on (`torch._inductor.cpu_vec_isa.pick_vec_isa()`):
a vector holds 16 floats with AVX-512, 8 with AVX2, 4 with ARM NEON, and without a usable
vector ISA it writes scalar loops. So the generated code, the name of the GEMM template,
and what an AOTInductor package records differ from one reader's machine to another's.

Such a snippet says so in its snippets.toml (`isa_dependent = true`). Its outputs are then
kept per ISA, like per torch version (sitekit/versions.py): the pages show the ISA named
`shown` in snippets/versions.toml `[isa]`, and each ISA listed in `also` is stored beside it
as `<name>.versions/<version>-<isa>.out` (e.g. `2.15.0-avx2.out`). A run on an ISA with no
stored output (ARM, `ATEN_CPU_CAPABILITY=default`) still runs the snippet; only the
comparison of its output is skipped, with a reason naming the ISA.

On an x86-64 machine `ATEN_CPU_CAPABILITY` makes torch (and Inductor) use a lower ISA than
the CPU has: `avx2` on an AVX-512 machine, `default` (no vector ISA) anywhere. That is how
`make outputs` captures the AVX2 variant on an AVX-512 machine, and how the tests check
every variant a machine can stand in for (`make test-isa`).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
import tomllib

from sitekit.config import SNIPPETS

VERSIONS_TOML = SNIPPETS / "versions.toml"


@dataclasses.dataclass(frozen=True)
class Isa:
    key: str  # file-name part of a label: "avx2" in 2.15.0-avx2.out
    name: str  # how pages name it
    floats: int | None  # float32 lanes in one vector; None: scalar code
    capability: str | None = None  # ATEN_CPU_CAPABILITY that selects it on a CPU that has it

    @property
    def lanes(self) -> str:
        """How many floats one vector holds, in the pages' words."""
        return f"一个向量 {self.floats} 个 float" if self.floats else "不用向量指令，逐个元素计算"

    @property
    def described(self) -> str:
        """Its name and lanes, in the pages' words."""
        return "".join((self.name, "（", self.lanes, "）"))


# Keyed by the class of what pick_vec_isa() returns: its str() is not specific enough
# (ARM's NEON and SVE both print "asimd").
_BY_CLASS = {
    "VecAMX": Isa("amx", "AVX-512 + AMX", 16, "avx512"),
    "VecAVX512VNNI": Isa("avx512vnni", "AVX-512 VNNI", 16, "avx512"),
    "VecAVX512": Isa("avx512", "AVX-512", 16, "avx512"),
    "VecAVX2": Isa("avx2", "AVX2", 8, "avx2"),
    "VecNEON": Isa("neon", "ARM NEON", 4),
    "VecSVE128": Isa("sve128", "ARM SVE-128", 4),
    "VecSVE256": Isa("sve256", "ARM SVE-256", 8),
    "VecZVECTOR": Isa("zvector", "IBM Z vector", 8, "zvector"),
    "VecVSX": Isa("vsx", "POWER VSX", 8, "vsx"),
    "InvalidVecISA": Isa("novec", "无可用的向量指令集", None, "default"),
}
KNOWN = {isa.key: isa for isa in _BY_CLASS.values()}

# Run in the interpreter that runs the snippets (sitekit/runner.py): which ISA it picks.
PROBE = """
try:
    from torch._inductor.cpu_vec_isa import pick_vec_isa
    _isa = pick_vec_isa()
    isa_class = type(_isa).__name__ + (str(_isa.bit_width()) if type(_isa).__name__ == "VecSVE" else "")
except ImportError:  # a torch without Inductor's ISA module
    isa_class = "VecUnknown"
"""


def from_class(class_name: str) -> Isa:
    """The Isa for the class name PROBE reports; an unknown one is named after its class."""
    return _BY_CLASS.get(class_name) or Isa(class_name.lower().removeprefix("vec"), class_name, None)


def get(key: str) -> Isa:
    if key not in KNOWN:
        raise ValueError(f"unknown ISA {key!r} (known: {sorted(KNOWN)})")
    return KNOWN[key]


@dataclasses.dataclass(frozen=True)
class Policy:
    shown: Isa  # the ISA every page's output comes from
    also: tuple[Isa, ...]  # other ISAs whose outputs are stored and compared

    @property
    def stored(self) -> tuple[Isa, ...]:
        return (self.shown, *self.also)


@functools.cache
def policy() -> Policy:
    """snippets/versions.toml `[isa]`, validated."""
    data = tomllib.loads(VERSIONS_TOML.read_text("utf-8")).get("isa")
    if not isinstance(data, dict) or set(data) != {"shown", "also"} or not isinstance(data["also"], list):
        raise ValueError(f"{VERSIONS_TOML}: [isa] needs `shown` (a key) and `also` (a list of keys): {sorted(KNOWN)}")
    shown, also = get(data["shown"]), tuple(get(k) for k in data["also"])
    if shown in also or len(set(also)) != len(also):
        raise ValueError(f"{VERSIONS_TOML}: [isa] lists an ISA twice")
    return Policy(shown, also)


def stand_ins(python: str | None = None) -> list:
    """runner.Interpreter for each stored ISA (policy().also) this CPU can stand in for
    through ATEN_CPU_CAPABILITY, other than its own ISA; each one that it cannot is said on
    stderr."""
    from sitekit import runner  # runner asks this module which ISA a python picks

    own = runner.interpreter(python)
    found = []
    for isa in policy().also:
        if isa.key == own.isa.key or not isa.capability:
            continue
        interp = runner.interpreter(python, isa.capability)
        if interp.isa.key == isa.key:
            found.append(interp)
        else:
            print(f"this CPU ({own.isa.name}) cannot stand in for {isa.name}: ATEN_CPU_CAPABILITY="
                  f"{isa.capability} gives {interp.isa.name}", file=sys.stderr)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit.hardware", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("isa", help="the vector ISA Inductor picks here (SNIPPET_PYTHON's, else this python's)")
    sub.add_parser("stand-ins", help="the ATEN_CPU_CAPABILITY values that make this CPU stand in for "
                                     "another stored ISA, one a line")
    args = parser.parse_args(argv)
    if args.command == "isa":
        from sitekit import runner

        print(runner.interpreter().isa.described)
        return 0
    for interp in stand_ins():
        print(interp.capability)
    return 0


if __name__ == "__main__":
    sys.exit(main())
