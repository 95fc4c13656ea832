"""Windows-1250 out: transliteration of what cp1250 lacks, and field lengths taken from the real XSDs."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from connectors.pohoda.errors import FieldTooLong
from connectors.pohoda.namespaces import BASE, NS
from connectors.pohoda.xml.encoding import is_cp1250, transliterate
from connectors.pohoda.xml.limits import MAX_LENGTH, fit

XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Žluťoučký kůň úpěl ďábelské ódy", "Žluťoučký kůň úpěl ďábelské ódy"),
        ("„Hrnek“ – 199 € … ™", "„Hrnek“ – 199 € … ™"),
        ("Ørsted £5 ½ l → ok", "Orsted GBP5 1/2 l -> ok"),
        ("café niño São Paulo", "café nino Sao Paulo"),
        ("Чай для Саши", "Čaj dlja Saši"),
        ("Hrnek ☕ 😀", "Hrnek"),
        ("a 😀 b", "a b"),
        ("汉字", "??"),
        ("tab\tok\x00\x0b", "tab\tok"),
        ("x²", "x2"),
    ],
)
def test_text_outside_windows_1250_is_transliterated(text: str, expected: str) -> None:
    assert transliterate(text) == expected
    assert is_cp1250(transliterate(text))


def test_text_already_in_windows_1250_is_left_alone() -> None:
    text = "Příliš žluťoučký kůň – „ok“ € § ° ß ÷ ×"
    assert transliterate(text) is text or transliterate(text) == text


def test_an_overlong_value_names_record_and_field_and_both_lengths() -> None:
    with pytest.raises(FieldTooLong) as error:
        fit("ž" * 91, "stk:stockHeaderType/name", record="stock item 'A-1'", field="name")
    assert (error.value.record, error.value.field, error.value.length, error.value.max_length) == (
        "stock item 'A-1'",
        "name",
        91,
        90,
    )
    assert str(error.value) == "stock item 'A-1': name: 91 characters, POHODA allows at most 90"


def _schema(xsd_dir: Path, files: dict[str, etree._ElementTree], namespace: str) -> etree._ElementTree:
    if namespace not in files:
        files[namespace] = etree.parse(str(xsd_dir / namespace[len(BASE) :]))
    return files[namespace]


def _resolve(xsd_dir: Path, files: dict[str, etree._ElementTree], namespace: str, type_name: str) -> int | None:
    tree = _schema(xsd_dir, files, namespace)
    simple = tree.getroot().find(f"{XS}simpleType[@name='{type_name}']")
    if simple is None:
        return None
    return _max_length(xsd_dir, files, simple)


def _max_length(xsd_dir: Path, files: dict, declaration: etree._Element) -> int | None:
    found = declaration.find(f".//{XS}maxLength")
    if found is not None:
        return int(found.get("value"))
    for holder in declaration.iter(f"{XS}restriction", f"{XS}extension"):
        prefix, _, local = holder.get("base", "").partition(":")
        namespace = holder.nsmap.get(prefix)
        if namespace and namespace.startswith(BASE):
            return _resolve(xsd_dir, files, namespace, local)
    return None


def _own_element(complex_type: etree._Element, name: str) -> etree._Element | None:
    """The element ``name`` declared by this type itself, not by an anonymous type nested in it."""
    for element in complex_type.iter(f"{XS}element"):
        if element.get("name") != name:
            continue
        parent = element.getparent()
        while parent is not complex_type and parent.tag != f"{XS}element":
            parent = parent.getparent()
        if parent is complex_type:
            return element
    return None


def test_every_length_limit_matches_the_real_xsd(pohoda_reference: Path) -> None:
    xsd_dir = pohoda_reference / "xsd"
    files: dict[str, etree._ElementTree] = {}
    wrong = {}
    for key, limit in MAX_LENGTH.items():
        prefix, _, rest = key.partition(":")
        type_name, _, element_name = rest.partition("/")
        tree = _schema(xsd_dir, files, NS[prefix])
        complex_type = tree.getroot().find(f"{XS}complexType[@name='{type_name}']")
        assert complex_type is not None, f"{key}: no complexType {type_name}"
        declaration = _own_element(complex_type, element_name)
        assert declaration is not None, f"{key}: {type_name} declares no {element_name}"
        if declaration.get("type"):
            prefix_of_type, _, local = declaration.get("type").partition(":")
            declared = _resolve(xsd_dir, files, declaration.nsmap[prefix_of_type], local)
        else:
            declared = _max_length(xsd_dir, files, declaration)
        if declared != limit:
            wrong[key] = (limit, declared)
    assert not wrong, f"limits that differ from the XSD (ours, xsd): {wrong}"
