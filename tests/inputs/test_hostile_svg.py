"""Hostile logos, part 2: SVG animation. `<set>` and `<animate>` change an attribute when the
picture is shown: `<set attributeName="href" to="javascript:…">` turns a harmless `#` link into a
script, and `to="https://…"` a local reference into a remote one, past a check that reads the
attributes as written. A printed logo has no use for animation: the elements are refused."""

from __future__ import annotations

import pytest

from tests.hostile import svg
from tests.inputs.test_hostile_validation import FILE, GOOD, profile


@pytest.mark.parametrize("logo, element", [
    (svg('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/>'
         '<rect width="9" height="9"/></a>'), "set"),
    (svg('<image width="9" height="9" href="#x">'
         '<animate attributeName="href" values="https://tracker.example/p.png" dur="1s"/></image>'),
     "animate"),
    (svg('<rect width="9" height="9"><animateTransform attributeName="transform" type="scale" '
         'to="100000"/></rect>'), "animateTransform"),
])
def test_an_animated_logo_is_refused(project, logo, element):
    lines = profile(project, GOOD, logo)
    assert lines == [f"error: {FILE}:2: logo: logo 'fysio-delinde/logo.svg': SVG <{element}> is not "
                     "allowed (a logo is printed: no scripts, embedded documents or animation)"], lines
