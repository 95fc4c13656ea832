"""A ``responsePack`` with ``state="error"``: which of STORMWARE's pack errors it is, and what to raise.

POHODA refuses a whole dataPack with a note only (the numbers 551–557 of STORMWARE's "Podrobnosti
zpracování" are not in the XML), so the note is matched against the documented messages. What each means for
the caller: 554/555 are credentials or rights (``AuthenticationError``); 556 "Chyba průběhu zpracování" asks
to try again (``ServerError``, retriable); a pack for another company's IČO is ``WrongCompany``; anything
else (configuration file, database conversion or activation needed) is ``PackRejected`` with the code.
"""

from __future__ import annotations

import unicodedata

from connectors.pohoda.errors import AuthenticationError, PackRejected, PohodaError, ServerError, WrongCompany
from connectors.pohoda.models.responses import ResponsePack

__all__ = ["PACK_ERRORS", "pack_error", "raise_for_pack"]

PACK_ERRORS: dict[int, tuple[str, type[PohodaError]]] = {
    551: ("nepodarilo se najit konfiguracni soubor", PackRejected),
    552: ("prevod ucetni jednotky", PackRejected),
    553: ("nepodarilo se otevrit databaz", PackRejected),
    554: ("nepodarilo se prihlasit uzivatele", AuthenticationError),
    555: ("neni opravnen importovat xml", AuthenticationError),
    556: ("chyba prubehu zpracovani", ServerError),
    557: ("vyprsel cas pro provedeni aktivace", PackRejected),
}
_OTHER_COMPANY = "neni urcen pro tuto jednotku"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()


def pack_error(answer: ResponsePack, *, url: str = "mServer") -> PohodaError | None:
    """The error a refused pack stands for (``None`` when ``state="ok"``)."""
    if answer.state != "error":
        return None
    note = answer.note or ""
    folded = _fold(note)
    code = next(
        (number for number, (phrase, _) in PACK_ERRORS.items() if phrase in folded or folded.startswith(str(number))),
        None,
    )
    code_part = f" [{code}]" if code else ""
    message = f"{url}: POHODA refused dataPack {answer.id!r}{code_part}: {note or 'no note'}"
    if _OTHER_COMPANY in folded:
        return WrongCompany(message)
    kind = PACK_ERRORS[code][1] if code else PackRejected
    if kind is PackRejected:
        return PackRejected(message, pack_id=answer.id, note=answer.note, code=code)
    return kind(message)


def raise_for_pack(answer: ResponsePack, *, url: str = "mServer") -> None:
    error = pack_error(answer, url=url)
    if error is not None:
        raise error
