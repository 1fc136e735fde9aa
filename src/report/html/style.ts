/** The report's stylesheet, inlined so the page needs no network. */
export const css = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1200px;padding:16px 20px;color:#1d2330}
h1{font-size:22px;margin:.2em 0}h2{font-size:17px;border-bottom:1px solid #dde;padding-bottom:3px;margin-top:1.6em}h3{font-size:14px}
code{font:12.5px ui-monospace,Menlo,monospace;background:#f3f4f7;padding:0 3px;border-radius:3px}
.muted{color:#6a7282}.tag{font-size:11px;background:#e8ecf3;border-radius:3px;padding:0 4px}
.badge{display:inline-block;padding:3px 10px;border-radius:12px;font-weight:600;color:#fff}
.badge.verified{background:#2b9348}.badge.no-fix{background:#c0392b}
nav a{margin-right:12px}
svg text{font:11px ui-monospace,monospace;fill:#222}svg .axis{fill:#667}
.flame rect{stroke:none}.flame .frame:hover rect{stroke:#000;stroke-width:.6}
.timeline .lane{font-size:11px}.lane-line{stroke:#e3e6ec}
.key{margin-left:10px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
pre.diff,pre.excerpt{background:#f8f9fb;border:1px solid #e3e6ec;padding:8px;overflow:auto;font:12.5px ui-monospace,monospace}
.diff .add{background:#e6ffec;display:inline-block;width:100%}.diff .del{background:#ffebe9;display:inline-block;width:100%}
.diff .hunk{color:#6f42c1}.diff .meta{color:#57606a;font-weight:600}
.k{color:#cf222e}.s{color:#0a3069}.c{color:#6e7781;font-style:italic}.n{color:#0550ae}
table{border-collapse:collapse}td,th{border:1px solid #e3e6ec;padding:4px 8px;text-align:left;vertical-align:top}
.matrix .cell{position:relative;min-width:90px}.matrix .bar{position:absolute;left:0;bottom:0;height:3px;background:#8aa4d6}
.cell.pass{background:#eefbf1}.cell.fail,.cell.error{background:#fdecea}.cell.skipped{color:#889}
.verdict.verified{color:#2b9348;font-weight:600}.verdict.rejected{color:#c0392b;font-weight:600}
.gates{display:flex;flex-wrap:wrap;gap:12px}.gate svg{border:1px solid #e3e6ec}
.threshold{stroke:#c0392b;stroke-dasharray:5 4}.canary{fill:none;stroke:#1f6feb;stroke-width:2}.baseline{fill:none;stroke:#999;stroke-width:1.5}
circle.ok{fill:#1f6feb}circle.bad{fill:#c0392b}.decision{stroke:#e67e22;stroke-width:2}
.frames li.application code{background:#fff3d6}.untrusted{white-space:pre-wrap;word-break:break-word}
`;
