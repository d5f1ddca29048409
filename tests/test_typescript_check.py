"""A CDK app's type check is skipped only for exactly the files that passed it (harness.library.typescript_check)."""

from __future__ import annotations

from harness.library.typescript_check import TypeCheckVerdict


def make_app(root):
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "stack.ts").write_text("export const size: number = 512;\n")
    (root / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    (root / "package-lock.json").write_text('{"packages": {"node_modules/typescript": {"version": "5.9.3"}}}\n')
    return root


def test_a_passed_app_synthesizes_transpile_only_until_any_of_its_files_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache"))
    app = make_app(tmp_path / "app")
    assert TypeCheckVerdict(app).environment() == {}  # never checked: ts-node type-checks
    TypeCheckVerdict(app).record_pass()
    assert TypeCheckVerdict(app).environment() == {"TS_NODE_TRANSPILE_ONLY": "true"}

    (app / "node_modules").mkdir()  # installed packages and synth output are not the app's files
    (app / "node_modules" / "x.js").write_text("")
    (app / "cdk.out").mkdir()
    assert TypeCheckVerdict(app).passed

    for changed, text in (("lib/stack.ts", 'export const size: number = "512";\n'), ("tsconfig.json", "{}\n"),
                          ("package-lock.json", '{"packages": {"node_modules/typescript": {"version": "6.0.0"}}}\n')):
        original = (app / changed).read_text()
        (app / changed).write_text(text)
        assert TypeCheckVerdict(app).environment() == {}, changed  # checked again
        (app / changed).write_text(original)
    (app / "lib" / "more.ts").write_text("export {};\n")  # a new file too
    assert not TypeCheckVerdict(app).passed
