"""Fonts for the PDFs: which families each language is set in, and whether they are installed.

The families come from Debian's fonts-noto-core (Noto Sans for Latin and Cyrillic, Noto Naskh
Arabic and Noto Sans Arabic), fonts-noto-cjk (Noto Sans CJK SC) and fonts-dejavu-core, all
installed by scripts/install-system-packages.sh. WeasyPrint finds them through fontconfig,
shapes the text with HarfBuzz (Arabic joining, bidi) and embeds the subset of each font that a
PDF uses. Every stack ends with the other scripts' fonts, so a Chinese name in a French list or
an English word in an Arabic text is still drawn with real glyphs.

A language whose own script has no installed font is refused (`FontsMissing`) instead of being
rendered as boxes.
"""

from __future__ import annotations

import functools

LATIN = ("Noto Sans", "DejaVu Sans")
ARABIC = ("Noto Naskh Arabic", "Noto Sans Arabic")
CHINESE = ("Noto Sans CJK SC",)

# Each language's own script first, then the others for words in another script.
FONT_STACKS: dict[str, tuple[str, ...]] = {
    "latin": (*LATIN, *ARABIC, *CHINESE),
    "ar": (*ARABIC, *LATIN, *CHINESE),
    "zh-hans": (*CHINESE, *LATIN, *ARABIC),
}

# For each language, the families of which at least one must be installed.
REQUIRED: dict[str, tuple[str, ...]] = {
    "latin": LATIN,
    "ar": ARABIC,
    "zh-hans": CHINESE,
}


class FontsMissing(RuntimeError):
    """No font for a language's script is installed: the PDF would show boxes."""


def _script(language: str) -> str:
    return language if language in FONT_STACKS else "latin"


def font_stack(language: str) -> tuple[str, ...]:
    """The font families a text in `language` is set in, best first."""
    return FONT_STACKS[_script(language)]


def font_family_css(language: str) -> str:
    """The CSS `font-family` value for `language`."""
    return ", ".join(f'"{family}"' for family in font_stack(language)) + ", sans-serif"


def font_css(languages: list[str]) -> str:
    """`:lang()` rules giving each language its stack, so that a passage in another language
    (the English fallback inside an Arabic page) is set in the right fonts."""
    rules = [f"html {{ font-family: {font_family_css('en')}; }}"]
    for language in languages:
        if _script(language) != "latin":
            rules.append(f":lang({language}) {{ font-family: {font_family_css(language)}; }}")
    return "\n".join(rules)


@functools.cache
def installed_families() -> frozenset[str] | None:
    """The font families fontconfig knows (the ones WeasyPrint can use), or None when they
    cannot be listed (then nothing is refused)."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except (ImportError, OSError):  # pragma: no cover - WeasyPrint cannot run at all then
        return None
    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
        if fonts == ffi.NULL:  # pragma: no cover
            return None
        families: set[str] = set()
        value = ffi.new("FcChar8 **")
        for index in range(fonts.nfont):
            pattern = fonts.fonts[index]
            n = 0
            # FcResultMatch is 0: a font may have several family names (e.g. localised).
            while fontconfig.FcPatternGetString(pattern, b"family", n, value) == 0:
                families.add(ffi.string(value[0]).decode("utf-8", "replace"))
                n += 1
        return frozenset(families)
    finally:
        fontconfig.FcConfigDestroy(config)


def missing_fonts(language: str) -> tuple[str, ...]:
    """The families of which none is installed for `language`'s script (empty when fine)."""
    families = installed_families()
    required = REQUIRED[_script(language)]
    if families is None or any(family in families for family in required):
        return ()
    return required


def ensure_fonts(language: str) -> None:
    """Raise FontsMissing when `language` cannot be set in real glyphs on this machine."""
    missing = missing_fonts(language)
    if missing:
        raise FontsMissing(
            f"No font for {language!r} is installed (one of: {', '.join(missing)}); "
            "run scripts/install-system-packages.sh"
        )
