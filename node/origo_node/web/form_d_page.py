"""The ATIGA Form D as the paper form lays it out: its 13 boxes filled from a decrypted certificate.

One layout (typed: ``form_d_model.FormDLayout``), two renderings: the printable page (``form-d.html`` draws
it from the layout's JSON) and the PDF (``form_d_pdf``). Box 4, for official use at import, is filled from
the chain: the importing member's claims (preferential treatment given) or its rejection (not given, with
the reason).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from origo_api.states import title

from origo_node.documents.codes import ASEAN_PORTS as PORTS
from origo_node.documents.codes import PACKAGE_KINDS
from origo_node.documents.json_value import JsonObject, JsonValue
from origo_node.services.document_status import DocumentStatus, Utilisation
from origo_node.web.form_d_model import Box, Check, FormDLayout, ItemColumn, ItemTable
from origo_node.web.marks import mark, reason_words

COUNTRIES = {
    "BN": "Brunei Darussalam",
    "KH": "Cambodia",
    "ID": "Indonesia",
    "LA": "Lao PDR",
    "MY": "Malaysia",
    "MM": "Myanmar",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "VN": "Viet Nam",
    "TL": "Timor-Leste",
}
TITLE = (
    "ASEAN TRADE IN GOODS AGREEMENT /",
    "ASEAN INDUSTRIAL COOPERATION SCHEME",
    "CERTIFICATE OF ORIGIN",
    "(Combined Declaration and Certificate)",
    "FORM D",
)
BOX_TITLES = {
    1: "Goods consigned from (Exporter's business name, address, country)",
    2: "Goods consigned to (Importer's/Consignee's name, address, country)",
    3: "Means of transport and route (as far as known)",
    4: "For Official Use",
    5: "Item number",
    6: "Marks and numbers on packages",
    7: "Number and type of packages, description of products (including quantity where appropriate and "
    "HS number of the importing country)",
    8: "Origin criterion (see Overleaf Notes)",
    9: "Gross weight or other quantity and value (FOB) only when RVC criterion is applied",
    10: "Number and date of invoices",
    11: "Declaration by the exporter",
    12: "Certification",
    13: "",
}
#: Box 13's boxes, in the order the form prints them.
FLAGS = (
    ("thirdCountryInvoicing", "Third Country Invoicing"),
    ("exhibition", "Exhibition"),
    ("backToBack", "Back-to-Back CO"),
    ("issuedRetroactively", "Issued Retroactively"),
    ("accumulation", "Accumulation"),
    ("partialCumulation", "Partial Cumulation"),
    ("deMinimis", "De Minimis"),
)


def country(code: object) -> str:
    text = str(code or "")
    return COUNTRIES.get(text, text).upper()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def amount(value: object) -> str:
    """12345.5 -> '12,345.5' (no float rounding: the figure as the document states it)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return _text(value)
    whole, _, fraction = format(number, "f").partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return sign + grouped + (f".{fraction}" if fraction else "")


def _party(value: JsonValue) -> list[str]:
    party = _object(value)
    if not party:
        return []
    return [_text(party.get("name")), _text(party.get("address")), country(party.get("country"))]


def port(code: object) -> str:
    """'Laem Chabang, Thailand (THLCH)': the port's name where the project's list has it, else its country."""
    text = _text(code).strip()
    if len(text) != 5:
        return text
    land = COUNTRIES.get(text[:2].upper(), text[:2].upper())
    name = PORTS.get(text.upper())
    return f"{name}, {land} ({text})" if name else f"{text} ({land})"


def packages(count: object, kind: object) -> str:
    """'400 cartons (CT)': the Rec. 21 kind in words where the project's list has it."""
    code = _text(kind).strip()
    words = PACKAGE_KINDS.get(code.upper())
    if words is None:
        return f"{amount(count)} {code}".strip()
    one = _text(count).strip() in ("1", "1.0")
    return f"{amount(count)} {words[0] if one else words[1]} ({code})"


def _transport(value: JsonValue) -> list[str]:
    transport = _object(value)
    if not transport:
        return []
    lines = [
        f"Departure date: {_text(transport.get('departureDate'))}",
        f"Vessel's name/Aircraft etc.: {_text(transport.get('vesselOrFlight'))}",
        f"Port of Loading: {port(transport.get('portOfLoading'))}",
        f"Port of Discharge: {port(transport.get('portOfDischarge'))}",
    ]
    if transport.get("transportDocument"):
        lines.append(f"Bill of lading / transport document: {transport['transportDocument']}")
    return lines


def packages_of(value: JsonValue) -> str:
    return packages(value.get("count"), value.get("kind")) if isinstance(value, dict) else ""


def _object(value: JsonValue) -> JsonObject:
    """A member that should be an object, or an empty one: a box the document leaves out (or fills with
    something else) stays empty."""
    return value if isinstance(value, dict) else {}


def _item_row(item: JsonObject) -> list[str]:
    packages = item.get("packages")
    quantity = _object(item.get("quantity"))
    described = f"{packages_of(packages)} of {_text(item.get('description'))}"
    if quantity:
        described += f"; {amount(quantity.get('value'))} {_text(quantity.get('unit'))}"
    described += f"; HS {_text(item.get('hsCode'))}"
    weight = [f"{amount(item['grossWeightKg'])} KG G.W."] if item.get("grossWeightKg") is not None else []
    fob = _object(item.get("fobValue"))
    if fob:
        weight.append(f"FOB {_text(fob.get('currency'))} {amount(fob.get('amount'))}")
    invoice = _object(item.get("invoice"))
    return [
        _text(item.get("itemNumber")),
        _text(item.get("marksAndNumbers")),
        described,
        f'"{_text(item.get("originCriterion"))}"',
        "\n".join(weight),
        f"{_text(invoice.get('number'))}\n{_text(invoice.get('date'))}".strip(),
    ]


def claimed(utilisation: Utilisation) -> str:
    """What one utilisation took, item by item in each item's unit: "3,000.000 PR of item 1"."""
    parts = [
        f"{amount(c.quantity)} {_text(c.unit)}".rstrip() + f" of item {c.item}" for c in utilisation.claims
    ]
    if utilisation.whole_certificate:
        return "in full" + (f" ({'; '.join(parts)})" if parts else "")
    return "; ".join(parts) or "in full"


def _official_use(status: DocumentStatus | None) -> Box:
    """Box 4, from the chain: the importing member's claims (treatment given) or its rejection (not given)."""
    claims = status.utilisations if status is not None else ()
    rejection = status.rejection if status is not None else None
    stop = mark(status)
    lines = []
    if stop is not None and stop.tone != "done" and not rejection:  # a rejection says "Not given" itself
        # Box 4 is where the importing officer looks: it says first that the certificate is not usable.
        lines.append(f"NOT USABLE ({stop.word}): " + " ".join(stop.lines[:1]))
    lines += [f"Claimed by import declaration {c.declaration}: {claimed(c)}" for c in claims]
    if rejection:
        lines.append(f"Not given: {reason_words(rejection)}")
    checks = (
        Check("Preferential Treatment Given Under ATIGA", bool(claims)),
        Check("Preferential Treatment Not Given (Please state reason/s)", bool(rejection)),
    )
    return Box(number=4, title=BOX_TITLES[4], lines=tuple(lines), checks=checks)


def _box13_details(doc: JsonObject) -> list[str]:
    lines = []
    invoicing = doc.get("thirdCountryInvoice")
    if isinstance(invoicing, dict):
        lines.append(f"Invoiced by {_text(invoicing.get('operator'))}, {country(invoicing.get('country'))}")
    original = doc.get("backToBackOf")
    if isinstance(original, dict):
        lines.append(
            f"Back-to-back of {_text(original.get('referenceNumber'))}, issued in "
            f"{country(original.get('issuedIn'))}"
        )
    return lines


def _declaration(doc: JsonObject) -> list[str]:
    declaration = _object(doc.get("declaration"))
    produced, exported = country(doc.get("producingCountry")), country(doc.get("importingCountry"))
    return [
        "The undersigned hereby declares that the above details and statement are correct; that all the "
        f"products were produced in {produced} and that they comply with the origin requirements specified "
        f"for these products in the ASEAN Trade in Goods Agreement for the products exported to {exported}.",
        f"{_text(declaration.get('place'))}, {_text(declaration.get('date'))}",
        "Place and date, signature of authorised signatory",
    ]


def _certification(doc: JsonObject) -> list[str]:
    certification = _object(doc.get("certification"))
    return [
        "It is hereby certified, on the basis of control carried out, that the declaration by the exporter "
        "is correct.",
        f"{_text(certification.get('place'))}, {_text(certification.get('date'))}",
        _text(certification.get("authority")),
        "Place and date, signature and stamp of certifying authority",
    ]


def layout(doc: JsonObject, status: DocumentStatus | None) -> FormDLayout:
    """The form's boxes as lines of text (and ticked boxes), in the paper form's order.

    ``doc`` is the decrypted certificate as its issuer wrote it (a box it lacks stays empty); ``status`` is
    its status on the chain, from which box 4 and the mark come (None: no status, no mark)."""
    flags = _object(doc.get("flags"))
    listed = doc.get("items")
    items = [i for i in listed if isinstance(i, dict)] if isinstance(listed, list) else []
    state = str(status.state) if status is not None else ""

    def box(number: int, lines: list[str], checks: tuple[Check, ...] | None = None) -> Box:
        return Box(number=number, title=BOX_TITLES[number], lines=tuple(lines), checks=checks)

    return FormDLayout(
        reference=_text(doc.get("referenceNumber")),
        issued_in=country(doc.get("issuedIn")),
        title=TITLE,
        state=state,
        state_title=title(state) if state else "",
        mark=mark(status),
        document_id=status.document_id if status is not None else None,
        boxes=(
            box(1, _party(doc.get("exporter"))),
            box(2, _party(doc.get("consignee"))),
            box(3, _transport(doc.get("transport"))),
            _official_use(status),
            box(11, _declaration(doc)),
            box(12, _certification(doc)),
            box(
                13,
                _box13_details(doc),
                checks=tuple(Check(label, flags.get(name) is True) for name, label in FLAGS),
            ),
        ),
        items=ItemTable(
            columns=tuple(ItemColumn(n, BOX_TITLES[n]) for n in range(5, 11)),
            rows=tuple(tuple(_item_row(item)) for item in items),
        ),
    )
