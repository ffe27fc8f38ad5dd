"""snippets/captured.toml tells the truth: for every CPU label the site claims (each supported
CPU version, on the ISA the pages show and on every other stored ISA), it lists exactly the
snippets that label captures, and each of them has the output it needs. The home page's
测试环境 table counts from it, so a stale record would show readers a wrong number."""

from __future__ import annotations

from sitekit import snippets, versions


def _should_capture(build: versions.Build) -> set[str]:
    """What a full `make outputs` (plus its ISA stand-in pass) captures as `build`'s label."""
    wanted = set()
    for snippet in snippets.discover():
        if "cuda" in snippet.requires:
            continue
        if build.base != versions.primary() and not snippet.uses_torch:
            continue
        if build.isa and not snippet.isa_dependent:
            continue
        wanted.add(snippet.rel)
    return wanted


def test_every_cpu_label_lists_exactly_what_it_captures():
    captured = versions.captured()
    problems = []
    for build in [b for b in versions.supported() if b.device == "cpu"] + versions.isa_variants():
        record = captured.get(build.label)
        if record is None:
            problems.append(f"{build.label}: never captured")
            continue
        listed, wanted = set(record["snippets"]), _should_capture(build)
        for rel in sorted(wanted - listed):
            problems.append(f"{build.label}: snippets/{rel} was not captured")
        for rel in sorted(listed - wanted):
            problems.append(f"{build.label}: lists snippets/{rel}, which it does not capture (deleted, or changed kind)")
        if build.isa and record["isa"] != build.isa:
            problems.append(f"{build.label}: captured on ISA {record['isa']}")
    assert not problems, ("snippets/captured.toml is stale; run `make outputs` (and `make outputs TORCH=...` "
                          "for another version):\n" + "\n".join(problems))


def test_every_captured_isa_output_exists():
    captured = versions.captured()
    missing = []
    for build in versions.isa_variants():
        for rel in captured.get(build.label, {}).get("snippets", []):
            snippet = snippets.Snippet(snippets.SNIPPETS / rel)
            if snippet.expected_output(build) is None:
                missing.append(f"{snippet.output_path(build).relative_to(snippets.ROOT)}")
    assert not missing, "captured.toml lists ISA outputs that are not stored:\n" + "\n".join(missing)


def test_the_primary_label_was_captured_on_the_isa_the_pages_name():
    from sitekit import hardware

    record = versions.captured()[versions.primary().label]
    assert record["isa"] == hardware.policy().shown.key, (
        f"the primary outputs were captured on {record['isa']}, but the pages say they come from "
        f"{hardware.policy().shown.key} (snippets/versions.toml [isa] shown)")
