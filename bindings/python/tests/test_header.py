"""The binding consumes include/rtrl.h: every declared function is in the ctypes table
with the same argument and return types, and every enum constant and struct layout the
binding uses matches the header as the C compiler sees it."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from typing import Any, Dict, List, Tuple

import pytest

from conftest import HEADER

from rtrl import _library, _types

pycparser = pytest.importorskip("pycparser")
from pycparser import c_ast  # noqa: E402

CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
pytestmark = pytest.mark.skipif(CC is None, reason="no C compiler (cc) to preprocess rtrl.h")

# Stand-ins for the two system headers rtrl.h includes, so that the preprocessed text is
# plain C89/C99 that pycparser reads (the real glibc headers use GNU extensions). The
# typedef names are what the checks below map to ctypes, not the types behind them.
_FAKE_HEADERS = {
    "stddef.h": "typedef unsigned long size_t;\n#define NULL ((void *)0)\n",
    "stdint.h": "typedef unsigned char uint8_t; typedef unsigned short uint16_t;\n"
                "typedef unsigned int uint32_t; typedef unsigned long uint64_t;\n"
                "typedef signed char int8_t; typedef short int16_t; typedef int int32_t;\n"
                "typedef long int64_t;\n",
}

_NAMED_TYPES = {
    "double": ctypes.c_double,
    "int": ctypes.c_int,
    "size_t": ctypes.c_size_t,
    "uint64_t": ctypes.c_uint64,
    "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64,
    "int32_t": ctypes.c_int32,
}


@pytest.fixture(scope="module")
def ast(tmp_path_factory) -> c_ast.FileAST:
    fake = tmp_path_factory.mktemp("fake_libc")
    for name, text in _FAKE_HEADERS.items():
        (fake / name).write_text(text)
    pre = subprocess.run([CC, "-E", "-nostdinc", "-I", str(fake), str(HEADER)],
                         check=True, capture_output=True, text=True).stdout
    return pycparser.CParser().parse(pre, str(HEADER))


class _Header:
    """Functions, enums and structs of the parsed header."""

    def __init__(self, ast: c_ast.FileAST) -> None:
        self.functions: Dict[str, c_ast.FuncDecl] = {}
        self.enums: Dict[str, List[Tuple[str, int]]] = {}
        self.structs: Dict[str, c_ast.Struct] = {}
        self.typedef_kinds: Dict[str, str] = {}
        for node in ast.ext:
            if isinstance(node, c_ast.Typedef):
                inner = node.type.type
                if isinstance(inner, c_ast.Enum):
                    self.typedef_kinds[node.name] = "enum"
                    self.enums[node.name] = self._enumerators(inner)
                elif isinstance(inner, c_ast.Struct):
                    self.typedef_kinds[node.name] = "struct"
                    self.structs[node.name] = inner
                else:
                    self.typedef_kinds[node.name] = "base"
            elif isinstance(node, c_ast.Decl) and isinstance(node.type, c_ast.FuncDecl):
                self.functions[node.name] = node.type

    @staticmethod
    def _enumerators(enum: c_ast.Enum) -> List[Tuple[str, int]]:
        values, nxt = [], 0
        for e in enum.values.enumerators:
            if e.value is not None:
                nxt = _const_int(e.value)
            values.append((e.name, nxt))
            nxt += 1
        return values

    def ctype(self, node: Any) -> Any:
        """The ctypes type the binding must use for a C type node."""
        if isinstance(node, c_ast.PtrDecl):
            target = node.type
            if isinstance(target, c_ast.TypeDecl) and isinstance(target.type, c_ast.IdentifierType):
                names = target.type.names
                if names == ["char"]:
                    return ctypes.c_char_p
                if names == ["void"]:
                    return ctypes.c_void_p
            return ctypes.POINTER(self.ctype(target))
        if isinstance(node, c_ast.TypeDecl):
            t = node.type
            if isinstance(t, c_ast.IdentifierType):
                name = " ".join(t.names)
                if name == "void":
                    return None
                if name in _NAMED_TYPES:
                    return _NAMED_TYPES[name]
                kind = self.typedef_kinds.get(name)
                if kind == "enum":
                    return _types.c_enum
                if kind == "struct":
                    if name in _types.STRUCTS:
                        return _types.STRUCTS[name]
                    return getattr(_types, name)  # the opaque handles
                raise AssertionError(f"rtrl.h uses type {name!r}, which the test cannot map")
        raise AssertionError(f"unexpected C type node {node!r}")


def _const_int(node: Any) -> int:
    if isinstance(node, c_ast.Constant):
        return int(node.value.rstrip("uUlL"), 0)
    if isinstance(node, c_ast.UnaryOp) and node.op == "-":
        return -_const_int(node.expr)
    raise AssertionError(f"enum value {node!r} is not a plain integer constant")


@pytest.fixture(scope="module")
def header(ast) -> _Header:
    return _Header(ast)


def _type_name(t: Any) -> str:
    return "void" if t is None else t.__name__


def test_the_header_declares_functions(header):
    assert len(header.functions) >= 50
    assert "rtrl_net_step" in header.functions


def test_every_declared_function_is_in_the_table_with_its_types(header):
    problems = []
    for name, decl in sorted(header.functions.items()):
        if name not in _library.SIGNATURES:
            problems.append(f"{name}: declared in rtrl.h, missing from rtrl._library.SIGNATURES")
            continue
        restype, argtypes = _library.SIGNATURES[name]
        want_res = header.ctype(decl.type)
        params = [] if decl.args is None else decl.args.params
        want_args = [header.ctype(p.type) for p in params]
        if want_args == [None]:  # f(void)
            want_args = []
        if restype is not want_res:
            problems.append(f"{name}: returns {_type_name(want_res)}, table says {_type_name(restype)}")
        if len(argtypes) != len(want_args) or any(a is not b for a, b in zip(argtypes, want_args)):
            problems.append(f"{name}: takes ({', '.join(map(_type_name, want_args))}), table says "
                            f"({', '.join(map(_type_name, argtypes))})")
    assert not problems, "\n".join(problems)


def test_the_table_has_nothing_the_header_does_not_declare(header):
    extra = sorted(set(_library.SIGNATURES) - set(header.functions))
    assert not extra, f"in the ctypes table but not in rtrl.h: {extra}"


def test_the_raw_hot_path_functions_are_declared_functions(header):
    assert set(_library.RAW_FUNCTIONS) <= set(header.functions)


def test_every_enum_constant_matches(header):
    for c_name, table in _types.ENUMS.items():
        declared = dict(header.enums[c_name])
        names = _types.C_ENUM_NAMES[c_name]
        # Every enumerator of the header is known to the binding, with the same value.
        assert sorted(declared) == sorted(names.values()), c_name
        for py_name, value in table.items():
            assert declared[names[py_name]] == value, (c_name, py_name)


def test_struct_fields_match_in_order_and_type(header):
    for c_name, cls in _types.STRUCTS.items():
        decls = header.structs[c_name].decls
        assert [d.name for d in decls] == [f[0] for f in cls._fields_], c_name
        for d, (field, ctype) in zip(decls, cls._fields_):
            assert header.ctype(d.type) is ctype, f"{c_name}.{field}"


# ---------------------------------------------------------------- as the compiler lays it out


@pytest.fixture(scope="module")
def compiled(header, tmp_path_factory) -> Dict[str, int]:
    """sizeof, offsetof of every struct field, every enum constant and the version macros,
    printed by a C program compiled against rtrl.h."""
    lines = []
    for c_name, struct in header.structs.items():
        if not struct.decls:
            continue
        lines.append(f'printf("sizeof {c_name} %zu\\n", sizeof({c_name}));')
        for d in struct.decls:
            lines.append(f'printf("offsetof {c_name}.{d.name} %zu\\n", offsetof({c_name}, {d.name}));')
            lines.append(f'printf("sizeof {c_name}.{d.name} %zu\\n", sizeof((({c_name} *)0)->{d.name}));')
    for c_name, values in header.enums.items():
        lines.append(f'printf("sizeof {c_name} %zu\\n", sizeof({c_name}));')
        for name, _ in values:
            lines.append(f'printf("enum {name} %lld\\n", (long long){name});')
    lines.append('printf("macro RTRL_ABI_VERSION %d\\n", RTRL_ABI_VERSION);')
    lines.append('printf("macro RTRL_VERSION_NUMBER %d\\n", RTRL_VERSION_NUMBER);')
    src = ("#include <stddef.h>\n#include <stdio.h>\n#include \"rtrl.h\"\nint main(void) {\n    "
           + "\n    ".join(lines) + "\n    return 0;\n}\n")
    d = tmp_path_factory.mktemp("layout")
    (d / "layout.c").write_text(src)
    subprocess.run([CC, "-std=c99", "-I", str(HEADER.parent), "-o", str(d / "layout"),
                    str(d / "layout.c")], check=True, capture_output=True, text=True)
    out = subprocess.run([str(d / "layout")], check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        kind, key, value = line.split()
        result[f"{kind} {key}"] = int(value)
    return result


def test_struct_sizes_and_offsets_match_the_compiler(compiled):
    for c_name, cls in _types.STRUCTS.items():
        assert ctypes.sizeof(cls) == compiled[f"sizeof {c_name}"], c_name
        for field, ctype in cls._fields_:
            assert getattr(cls, field).offset == compiled[f"offsetof {c_name}.{field}"], f"{c_name}.{field}"
            assert ctypes.sizeof(ctype) == compiled[f"sizeof {c_name}.{field}"], f"{c_name}.{field}"


def test_enums_are_int_sized_and_their_values_match_the_compiler(compiled):
    for c_name, table in _types.ENUMS.items():
        assert compiled[f"sizeof {c_name}"] == ctypes.sizeof(_types.c_enum), c_name
        for py_name, value in table.items():
            assert compiled[f"enum {_types.C_ENUM_NAMES[c_name][py_name]}"] == value


def test_abi_version_matches_the_header(compiled):
    assert _library.EXPECTED_ABI_VERSION == compiled["macro RTRL_ABI_VERSION"]
    assert _library.library().rtrl_abi_version() == compiled["macro RTRL_ABI_VERSION"]


def test_library_version_matches_the_header(compiled):
    text = HEADER.read_text()
    m = re.search(r'#define RTRL_VERSION_STRING "([^"]+)"', text)
    assert m is not None
    import rtrl

    assert rtrl.__version__ == m.group(1)
    major, minor, patch = (int(p) for p in rtrl.__version__.split("."))
    assert compiled["macro RTRL_VERSION_NUMBER"] == major * 10000 + minor * 100 + patch
