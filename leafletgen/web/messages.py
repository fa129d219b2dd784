"""Input problems in the page's language: a problem's (field, code, params) worded for practice
staff and translators, in Dutch (the msgids) or a language of the web catalog. The command line
keeps the English text each problem carries; here no file path and no jargon is shown."""

from __future__ import annotations

import logging

from ..errors import Message, Problem
from .i18n import N_, _

log = logging.getLogger("leafletgen.web")

# The words for each code; %(name)s are the problem's params (and %(line)s its line).
MESSAGES = {
    # Translators: A required field of a form is empty.
    "missing": N_("Vul dit in."),
    # Translators: The practice's name is empty.
    "empty": N_("Vul de naam van de praktijk in, zoals patiënten die kennen."),
    # Translators: A field is too long to print on the leaflet; %(max_length)s and %(length)s are
    # numbers of characters (letters, digits, spaces).
    "too_long": N_("Dit is te lang voor de folder: hoogstens %(max_length)s tekens, nu %(length)s."),
    # Translators: A field that is printed on one line has a line break in it.
    "one_line": N_("Dit moet op één regel."),
    # Translators: The address has more lines than fit on the leaflet; %(lines)s and
    # %(max_lines)s are numbers of lines.
    "too_many_lines": N_("Dit zijn %(lines)s regels; op de folder passen er hoogstens %(max_lines)s."),
    # Translators: One line of the address is too long; %(line)s is its number (1, 2 or 3),
    # %(max_length)s and %(length)s are numbers of characters.
    "line_too_long": N_("Regel %(line)s is te lang voor de folder: hoogstens %(max_length)s tekens, "
                        "nu %(length)s."),
    # Translators: The text holds a character that cannot be printed or is invisible (often
    # copied along from another program); typing it again removes it.
    "unprintable": N_("Hier staat een onzichtbaar teken of een teken dat niet gedrukt kan worden, "
                      "vaak meegekopieerd uit een ander programma. Typ de tekst opnieuw in."),
    # Translators: The text has digits or letters of another script than Dutch uses (a Cyrillic З
    # for a 3, full-width digits), which look alike but are other characters.
    "script": N_("Hier staan cijfers of letters van een ander schrift die op gewone lijken (zoals "
                 "een Russische З voor een 3). Typ de tekst opnieuw in."),
    # Translators: The colour is not written as a colour code; keep "#1d5e8c" as it is.
    "color_format": N_("Schrijf de kleur als een # met zes cijfers of letters a-f, bijvoorbeeld #1d5e8c."),
    # Translators: The website is not a full web address; keep "https://" as it is.
    "url_format": N_("Schrijf het webadres helemaal, met https:// ervoor, bijvoorbeeld "
                     "https://www.praktijk.nl."),
    # Translators: The address for the QR code is not a full web address. Keep {leaflet}, {lang}
    # and {variant} exactly as they are: they are filled in with the leaflet's name, its language
    # and its print variant.
    "qr_url_format": N_("Schrijf het adres helemaal, met https:// ervoor; {leaflet}, {lang} en "
                        "{variant} mogen erin staan."),
    # Translators: The e-mail address is not one.
    "email_format": N_("Dit is geen e-mailadres. Bijvoorbeeld: info@praktijk.nl."),
    # Translators: The phone number holds other characters than digits, spaces, +, -, ( and ).
    "phone_format": N_("Schrijf het telefoonnummer met cijfers, spaties, +, -, ( en ), bijvoorbeeld "
                       "030 123 45 67."),
    # Translators: The profile names print variants that do not exist; %(names)s are their names.
    "unknown_variants": N_("Deze uitvoering bestaat niet: %(names)s."),
    # Translators: No print variant is ticked.
    "no_variant": N_("Vink minstens één uitvoering aan."),
    # Translators: The profile names languages by codes that are not language codes; %(codes)s
    # are the codes as written.
    "language_codes": N_("Dit zijn geen taalcodes: %(codes)s."),
    # Translators: The settings file has a setting the program does not know (often a typing
    # error); %(key)s is its name as written in the file.
    "extra_forbidden": N_("Het profiel heeft een onbekende instelling, “%(key)s”. Die wordt bij het "
                          "opslaan weggelaten."),
    # Translators: The settings file is damaged at line %(line)s and cannot be read.
    "toml_syntax": N_("Het profielbestand is beschadigd (regel %(line)s) en kan niet gelezen worden. "
                      "Wat u hier opslaat, komt ervoor in de plaats."),
    # Translators: The practice's folder is a link to another place on the computer, which is
    # not allowed; the person who manages the computer must fix it.
    "folder_link": N_("De map van deze praktijk verwijst naar een andere plek op de computer. Laat "
                      "dit herstellen door wie de computer beheert."),
    # Translators: Wrong values of the kind a form cannot produce (a setting that should be text,
    # yes/no or a list is something else in the file).
    "string_type": N_("Hier hoort tekst."),
    "bool_type": N_("Hier hoort aan of uit."),
    "list_type": N_("Hier hoort een lijst."),
    # Translators: An uploaded logo is not a picture of a kind the program can print.
    "logo_not_image": N_("Dit bestand is geen PNG-, JPEG- of SVG-afbeelding."),
    # Translators: An uploaded logo has too many pixels; 4000 × 4000 is the largest size.
    "logo_too_many_pixels": N_("Deze afbeelding is te groot: hoogstens 4000 × 4000 beeldpunten."),
    # Translators: An uploaded logo is a damaged picture file.
    "logo_broken": N_("Dit afbeeldingsbestand is beschadigd en kan niet gelezen worden."),
    # Translators: An uploaded logo is over the size limit; %(max_mb)s is a number of megabytes.
    "logo_too_large": N_("Dit bestand is te groot: hoogstens %(max_mb)s MB."),
    # Translators: An uploaded SVG logo is damaged or is not a picture.
    "svg_invalid": N_("Dit SVG-bestand is beschadigd of is geen afbeelding."),
    # Translators: An uploaded SVG logo is too complex to print quickly.
    "svg_too_complex": N_("Dit SVG-bestand is te ingewikkeld om te drukken. Vereenvoudig het, of "
                          "gebruik een PNG."),
    # Translators: An uploaded SVG logo holds scripts, animation or embedded documents.
    "svg_not_allowed": N_("Dit SVG-bestand bevat scripts, animatie of ingebedde documenten; een logo "
                          "mag alleen een plaatje zijn. Gebruik een PNG of een eenvoudige SVG."),
    # Translators: An SVG logo has text that is not seen on the page (placed outside the logo,
    # or hidden) but would still be in the PDF's text.
    "svg_hidden_text": N_("Dit SVG-bestand bevat tekst die buiten het logo staat of verborgen is; die "
                          "zou onzichtbaar in de folder komen. Zet de letters om in paden, of zet de "
                          "tekst binnen het logo."),
    # Translators: An uploaded SVG logo loads pictures or fonts from elsewhere (a website, a file).
    "svg_not_self_contained": N_("Dit SVG-bestand haalt plaatjes of opmaak van elders; een logo "
                                 "moet op zichzelf staan. Gebruik een PNG."),
    # Translators: The logo the profile names is gone, or is not a file.
    "logo_missing": N_("Het logobestand is er niet meer. Kies een nieuw logo."),
    "logo_outside": N_("Het logo staat buiten de map van de praktijken. Kies een nieuw logo."),
    "logo_unreadable": N_("Het logobestand kan niet gelezen worden. Kies een nieuw logo."),
    # Translators: The folder a logo is saved in is a link elsewhere on the computer.
    "logo_folder_link": N_("Het logo kan niet opgeslagen worden: de map van deze praktijk verwijst "
                           "naar een andere plek op de computer. Laat dit herstellen door wie de "
                           "computer beheert."),
    # ---- Making a document ----
    # Translators: The leaflet is being made by another request at this moment.
    "render_busy": N_("Deze folder wordt op dit moment al gemaakt. Probeer het zo opnieuw."),
    # Translators: Making the leaflet took longer than the time limit (%(seconds)s seconds) and
    # was stopped.
    "over_time": N_("Het maken duurde langer dan %(seconds)s seconden en is gestopt. Probeer het "
                    "opnieuw; gebeurt het weer, laat dan de opmaak van deze praktijk nakijken door wie "
                    "de computer beheert."),
    # Translators: Making the leaflet needed more memory than the limit (%(memory_mb)s megabytes).
    "over_memory": N_("Voor deze folder was meer dan %(memory_mb)s MB geheugen nodig; hij is niet "
                      "gemaakt. Laat de opmaak van deze praktijk nakijken door wie de computer beheert."),
    # Translators: The program that makes the leaflets stopped (out of memory, or a crash).
    "render_crashed": N_("Het programma dat de folder maakt, is gestopt (te weinig geheugen, of een "
                         "fout). Andere folders hebben er geen last van. Probeer het opnieuw."),
    # ---- A translator's uploaded .po file ----
    # Translators: An uploaded translation file (.po) is over the size limit; %(max_kb)s is a
    # number of kilobytes.
    "po_too_large": N_("Het bestand is te groot voor een vertaling: hoogstens %(max_kb)s kB."),
    # Translators: An uploaded .po file is not saved as UTF-8 text; Poedit saves it so.
    "po_encoding": N_("Het bestand is niet als UTF-8 opgeslagen. Open het in Poedit en sla het "
                      "opnieuw op."),
    # Translators: An uploaded .po file has a syntax error at line %(line)s: the file's format is
    # broken there (not the translation).
    "po_syntax": N_("Regel %(line)s: hier klopt de opmaak van het .po-bestand niet. Open het in "
                    "Poedit en sla het opnieuw op; Poedit wijst de fout aan."),
    # Translators: The header of an uploaded .po file (charset, Plural-Forms) is wrong at line
    # %(line)s.
    "po_header": N_("Regel %(line)s: de kop van het .po-bestand klopt niet (tekenset of "
                    "meervoudsvormen)."),
    # Translators: An uploaded .po file holds invisible or unprintable characters at line %(line)s.
    "po_unprintable": N_("Regel %(line)s: hier staat een onzichtbaar teken of een teken dat niet "
                         "gedrukt kan worden. Typ die tekst opnieuw in."),
    # Translators: A translation has digits or letters of another script than the language uses
    # (a Cyrillic З for a 3, full-width digits); %(line)s is its line in the file, %(unit)s the
    # start of the Dutch text.
    "po_script": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft cijfers of letters van een "
                    "ander schrift dan deze taal gebruikt. Typ die tekst opnieuw in."),
    # Translators: A translation changes the markup of the Dutch text (bold, italic, links, or
    # adds HTML); %(line)s is its line in the file, %(unit)s the start of the Dutch text.
    "po_markup": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft andere opmaak dan het "
                    "Nederlands (vet, cursief, links, of HTML). Neem de opmaak van het "
                    "Nederlands precies over."),
    # Translators: A translation links somewhere else than the Dutch text; %(line)s is its line,
    # %(unit)s the start of the Dutch text.
    "po_links": N_("Regel %(line)s: de vertaling van “%(unit)s” linkt naar een ander adres dan het "
                   "Nederlands."),
    # Translators: A translation has other placeholders (such as %(name)s) than the Dutch text;
    # %(line)s is its line, %(unit)s the start of the Dutch text. Keep %%(name)s as it is.
    "po_placeholders": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft andere invulplekken "
                          "(zoals %%(name)s) dan het Nederlands."),
    # Translators: A translation has a different number of plural forms than the language has;
    # %(line)s is its line, %(unit)s the start of the Dutch text.
    "po_plural": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft niet het aantal "
                    "meervoudsvormen dat deze taal heeft."),
    # Translators: Something else is wrong with one translation; %(line)s is its line, %(unit)s
    # the start of the Dutch text.
    "po_translation": N_("Regel %(line)s: de vertaling van “%(unit)s” kan zo niet gebruikt worden."),
    # Translators: The uploaded file is a translation into another language; %(found)s and
    # %(expected)s are language codes (e.g. de, tr).
    "po_language": N_("Dit is een vertaling in een andere taal (%(found)s), niet in %(expected)s."),
    # Translators: The uploaded file has none of the texts of the chosen leaflet.
    "po_other_domain": N_("Dit bestand heeft geen enkele tekst van deze folder. Is het de vertaling "
                          "van een andere folder?"),
    # Translators: The translation file in use cannot be replaced: its folder is a link elsewhere
    # on the computer.
    "po_link": N_("De vertaling kan niet opgeslagen worden: de map ervan verwijst naar een andere "
                  "plek op de computer. Laat dit herstellen door wie de computer beheert."),
    # Translators: The translation file on the server cannot be read (for instance, it is a link).
    "po_unreadable": N_("Het vertaalbestand kan niet gelezen worden. Laat dit herstellen door wie de "
                        "computer beheert."),
    # Translators: The list of approved terms of a language (the termbase) cannot be downloaded.
    "terms_unreadable": N_("De termenlijst van deze taal kan niet gelezen worden. Laat dit herstellen "
                           "door wie de computer beheert."),
    # ---- What the quality checks of a saved translation found (to look at, not errors) ----
    # Translators: A number of the Dutch text is not in the translation. %(line)s is a line of the
    # translation file, %(unit)s the start of the Dutch text, %(value)s the number.
    "number_missing": N_("Regel %(line)s: het Nederlands van “%(unit)s” heeft het getal %(value)s, de "
                         "vertaling niet."),
    # Translators: The translation has a number the Dutch text has not. %(line)s is a line of the
    # translation file, %(unit)s the start of the Dutch text, %(value)s the number.
    "number_added": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft het getal %(value)s, het "
                       "Nederlands niet."),
    # Translators: A number of the Dutch text counts something else in the translation (days instead of
    # weeks, g instead of mg). %(line)s is a line of the translation file, %(unit)s the start of the Dutch
    # text, %(value)s the number.
    "unit_missing": N_("Regel %(line)s: in de vertaling van “%(unit)s” telt %(value)s iets anders dan "
                       "in het Nederlands."),
    # Translators: The language has no number words in its language table yet, so only numbers written in
    # digits were compared.
    "numbers_unchecked": N_("Voor deze taal zijn alleen getallen in cijfers vergeleken: haar taaltabel "
                            "heeft nog geen getallen in woorden."),
    # Translators: The language table has no words for what a number counts (weeks, mg). %(line)s is a
    # line of the translation file, %(value)s the number.
    "units_unchecked": N_("Regel %(line)s: wat %(value)s telt, is niet vergeleken: de taaltabel heeft er "
                          "nog geen woorden voor."),
    # Translators: Digits of another script (full-width, Arabic-Indic where they are not used). %(line)s
    # is a line of the translation file, %(unit)s the start of the Dutch text, %(digits)s those digits.
    "foreign_digits": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft cijfers van een ander "
                         "schrift: %(digits)s."),
    # Translators: The translation does not use the term the termbase asks for. %(line)s is a line of the
    # translation file, %(unit)s the start of the Dutch text, %(term)s the Dutch term, %(required)s the
    # term(s) to use.
    "term_missing": N_("Regel %(line)s: de vertaling van “%(unit)s” gebruikt niet de vaste term voor "
                       "“%(term)s”: %(required)s."),
    # Translators: The translation uses a variant the termbase forbids. %(line)s is a line of the
    # translation file, %(unit)s the start of the Dutch text, %(found)s that variant, %(term)s the Dutch
    # term, %(required)s the term(s) to use.
    "term_forbidden": N_("Regel %(line)s: de vertaling van “%(unit)s” gebruikt “%(found)s”; de vaste "
                         "term voor “%(term)s” is %(required)s."),
    # Translators: The translation addresses the reader informally. %(line)s is a line of the translation
    # file, %(unit)s the start of the Dutch text, %(words)s those words.
    "register": N_("Regel %(line)s: de vertaling van “%(unit)s” spreekt de lezer informeel aan: "
                   "%(words)s."),
    # Translators: A punctuation mark of another script (a Latin comma in Arabic). %(line)s is a line of
    # the translation file, %(unit)s the start of the Dutch text, %(found)s the mark found, %(expected)s
    # the language's own.
    "punctuation": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft %(found)s waar deze taal "
                      "%(expected)s schrijft."),
    # Translators: No space before a mark that takes one in this language (French: ? ! ; :). %(line)s is a
    # line of the translation file, %(unit)s the start of the Dutch text, %(mark)s the mark.
    "space_before": N_("Regel %(line)s: in de vertaling van “%(unit)s” staat geen spatie vóór "
                       "%(mark)s."),
    # Translators: No space after a mark that takes one in this language (French: «). %(line)s is a line
    # of the translation file, %(unit)s the start of the Dutch text, %(mark)s the mark.
    "space_after": N_("Regel %(line)s: in de vertaling van “%(unit)s” staat geen spatie na %(mark)s."),
    # Translators: A Spanish question or exclamation without ¿ or ¡ at its start. %(line)s is a line of
    # the translation file, %(unit)s the start of the Dutch text, %(opening)s the mark that is missing.
    "inverted": N_("Regel %(line)s: in de vertaling van “%(unit)s” ontbreekt %(opening)s aan het "
                   "begin van een vraag of uitroep."),
    # Translators: Straight quotation marks ("). %(line)s is a line of the translation file, %(unit)s the
    # start of the Dutch text, %(expected)s the language's own quotation marks.
    "straight_quote": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft rechte aanhalingstekens; "
                         "deze taal gebruikt %(expected)s."),
    # Translators: Quotation marks of another language. %(line)s is a line of the translation file,
    # %(unit)s the start of the Dutch text, %(found)s the mark, %(expected)s the language's own.
    "quotes": N_("Regel %(line)s: de vertaling van “%(unit)s” heeft aanhalingsteken %(found)s; deze "
                 "taal gebruikt %(expected)s."),
    # Translators: Words in Latin letters left in a translation in another script. %(line)s is a line of
    # the translation file, %(unit)s the start of the Dutch text, %(words)s those words.
    "latin_words": N_("Regel %(line)s: in de vertaling van “%(unit)s” staan nog woorden in Latijnse "
                      "letters: %(words)s."),
    # Translators: The translation is far shorter or longer than the Dutch. %(line)s is a line of the
    # translation file, %(unit)s the start of the Dutch text, %(ratio)s how many times as long (e.g. 0.40
    # or 2.50).
    "length": N_("Regel %(line)s: de vertaling van “%(unit)s” is %(ratio)s keer zo lang als het "
                 "Nederlands. Kijk na of er niets ontbreekt of bij is gekomen."),
    # Translators: The leaflet as laid out with the practice's own templates or style does not show
    # exactly the approved text (words changed, added, hidden or too small to read), so it is not made.
    "text_proof": N_("De opmaak van de praktijk verandert de goedgekeurde tekst van deze folder "
                     "(woorden anders, erbij, verborgen of te klein). Daarom is de folder niet "
                     "gemaakt. Laat de beheerder de eigen opmaak van de praktijk nakijken."),
    # Translators: The personal note for a patient is too long for its box on the leaflet;
    # %(limit)s and %(length)s are numbers of characters.
    "note_too_long": N_("De notitie is te lang: hoogstens %(limit)s tekens, nu %(length)s."),
    # Translators: The personal note has more lines than fit in its box; %(limit)s and %(lines)s
    # are numbers of lines.
    "note_too_many_lines": N_("De notitie heeft %(lines)s regels; er passen er hoogstens %(limit)s."),
    # Translators: A line of the personal note holds an invisible or unprintable character;
    # %(line)s is the line's number.
    "note_character": N_("Regel %(line)s van de notitie heeft een onzichtbaar teken of een teken dat "
                         "niet gedrukt kan worden. Typ die regel opnieuw in."),
    # Translators: The personal note is in a script (alphabet) the leaflet's fonts cannot print;
    # %(scripts)s is the script's English name, such as Arabic or Cyrillic.
    "note_script": N_("De notitie is in een schrift (%(scripts)s) dat deze folder niet kan drukken. "
                      "Schrijf haar in de taal van de folder of in het Nederlands."),
    # Translators: This practice's own layout files cannot print a personal note.
    "note_not_printed": N_("De opmaak van deze praktijk kan geen notitie drukken. Laat dit herstellen "
                           "door wie de computer beheert."),
    # Translators: This practice's own layout files are older than the page footer they must write.
    "footer_not_written": N_("De opmaak van deze praktijk drukt geen voettekst onderaan de pagina's. "
                             "Laat dit herstellen door wie de computer beheert."),
    # Translators: A changed leaflet keeps the version number patients already have; %(version)s
    # is the number written, %(current)s the published one, %(suggested)s the next one (e.g. 1.1).
    "version_not_newer": N_("Versie %(version)s is niet nieuwer dan de gepubliceerde versie %(current)s. Een "
                            "wijziging is een nieuwe versie: zet version op \"%(suggested)s\"."),
    # Translators: The version number cannot be used as one; examples follow.
    "version_name": N_("Schrijf de versie met cijfers en punten, zoals 1.1 of 2.0."),
    # Translators: This version number was published already, with another text; %(version)s is it.
    "version_taken": N_("Versie %(version)s bestaat al met een andere tekst. Geef deze tekst een nieuwe versie."),
    # Translators: Someone else saved the text after it was opened here; %(by)s is who.
    "changed_meanwhile": N_("De tekst is intussen veranderd (opgeslagen door %(by)s). Open hem opnieuw."),
    # Translators: The person who wrote a draft tried to approve it; %(name)s is that person.
    "approve_own": N_("%(name)s schreef dit concept en kan het dus niet zelf goedkeuren; een andere persoon "
                      "moet dat doen."),
    # Translators: This account may not approve leaflets; %(name)s is the account's name.
    "approve_role": N_("%(name)s mag geen folders goedkeuren; dat doet een redacteur met die rol."),
    # Translators: Publishing was asked for a draft nobody approved (or that changed after approval).
    "not_approved": N_("Dit concept is (nog) niet goedgekeurd. Eerst keurt een andere persoon het goed."),
    # Translators: There is no draft of this leaflet (any more).
    "no_draft": N_("Er is geen concept van deze folder (meer)."),
}

# Translators: A problem the program has no words for yet; the details are in the server's log.
FALLBACK = N_("Deze waarde kan niet gebruikt worden.")

# Words that only make sense beside the form (they say what saving it does).
FORM_ONLY = frozenset({"extra_forbidden", "toml_syntax"})

# A problem of a file that has no words of its own here, by the folder of the file.
BY_FOLDER = {
    # Translators: The practice's settings (profile) have an error; the page Praktijken
    # ("Practices") is where they are corrected.
    "practices/": N_("De gegevens van de praktijk hebben een fout. Verbeter ze op de pagina Praktijken."),
    # Translators: The leaflet's own text (its source file) has an error; the editors fix it.
    "leaflets/": N_("De tekst van de folder zelf heeft een fout. Laat de redactie dit herstellen."),
    # Translators: A translation file has an error; the translator fixes it.
    "translations/": N_("De vertaling heeft een fout. Laat de vertaler dit herstellen."),
    # Translators: The leaflets' layout files (templates) have an error.
    "templates/": N_("De opmaak van de folders heeft een fout. Laat dit herstellen door wie de computer "
                     "beheert."),
}

# The practice form's labels, which also name a field in a problem shown elsewhere.
PROFILE_LABELS = {
    "name": N_("Naam van de praktijk"),
    "address": N_("Adres"),
    "phone": N_("Telefoon"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    # Translators: The practice's colour, written as a hexadecimal colour code: keep "#rrggbb" as
    # it is.
    "color": N_("Kleur (#rrggbb)"),
    "logo": N_("Logo"),
    # Translators: The print variants (A4, A5, booklet, large print, print shop) made for this
    # practice when all leaflets are made at once (by the command line).
    "variants": N_("Uitvoeringen voor het maken van alle folders"),
    # Translators: The languages made for this practice when all leaflets are made at once; when
    # none is ticked, every language.
    "languages": N_("Talen (niets aangevinkt: alle talen)"),
    "bilingual": N_("Ook tweetalige folders maken (vertaling met het Nederlands ernaast)"),
    # Translators: A setting of the practice: hand patients only translations that a person has
    # read and approved (compared with the Dutch text).
    "require_review": N_("Alleen vertalingen gebruiken die een persoon heeft nagekeken"),
    # Translators: The web address the QR code on the leaflet leads to. Keep {leaflet}, {lang} and
    # {variant} exactly as they are: they are filled in with the leaflet's name, its language and
    # its print variant.
    "qr_url": N_("Adres voor de QR-code (mag {leaflet}, {lang} en {variant} bevatten)"),
}


def problem_text(problem: Problem) -> str:
    """The problem in the page's language: its code's words with its params (and its line)."""
    template = MESSAGES.get(problem.code)
    params = {"line": problem.line or 1, **problem.params}
    if template is None:
        log.warning("no words in the web app for problem %r: %s", problem.code, problem)
        return _(FALLBACK)
    try:
        return _(template, **params)
    except (KeyError, ValueError, TypeError):   # a catalog's translation with other placeholders
        log.warning("the words for problem %r do not fit its params %r", problem.code, params)
        return _(FALLBACK)


def problem_lines(problems: list) -> list[str]:
    """Problems shown away from their form (the staff page, a document's error page): each in the
    page's language, a profile's with the name of its field; one with no words of its own here
    said by the kind of file it is in. Each line once."""
    lines: list[str] = []
    for problem in problems:
        if isinstance(problem, Message):
            problem = Problem("", problem)
        if isinstance(problem, Problem) and problem.code in MESSAGES and problem.code not in FORM_ONLY:
            text = problem_text(problem)
            key = (problem.field or "").split(".")[0]
            if problem.file.startswith("practices/") and key in PROFILE_LABELS:
                text = f"{_(PROFILE_LABELS[key])}: {text}"
        else:
            file = problem.file if isinstance(problem, Problem) else str(problem)
            folder = next((folder for folder in BY_FOLDER if file.startswith(folder)), None)
            text = _(BY_FOLDER[folder]) if folder else _(FALLBACK)
        if text not in lines:
            lines.append(text)
    return lines
