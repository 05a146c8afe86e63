using System.Globalization;
using System.Net;
using System.Text;

namespace Wharf.Server.Dashboard;

/// <summary>The shared page layout: one stylesheet, a header with the pages, times shown in the browser's zone.</summary>
internal static class Html
{
    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
        header a{color:#cfd6e4;text-decoration:none}header b{margin-right:1rem}
        main{padding:1rem 1.2rem;max-width:1200px}
        table{border-collapse:collapse;background:#fff;width:100%}th,td{padding:.35rem .6rem;border-bottom:1px solid #e3e6eb;text-align:left}
        th{background:#eef0f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .ok{color:#137333}.bad{color:#b3261e;font-weight:600}.muted{color:#6b7280}
        .problem{background:#fde7e6;border:1px solid #b3261e;padding:.6rem;margin-bottom:1rem;white-space:pre-wrap}
        pre{background:#fff;border:1px solid #e3e6eb;padding:.6rem;white-space:pre-wrap}
        pre.log{max-height:30rem;overflow:auto;font-size:.85rem}
        button{cursor:pointer}
        form.login input{font:inherit;padding:.3rem;width:22rem;max-width:100%}
        """;

    /// <summary>
    /// Converts every <c>&lt;time datetime&gt;</c> to the browser's time zone (the UTC text stays for
    /// no-script readers and in the tooltip); starts runs with the CSRF header when signed in with
    /// the session cookie (whose CSRF half is readable, see TokenAuth), and shows Log out then.
    /// </summary>
    private const string Script = """
        document.querySelectorAll('time[datetime]').forEach(t=>{const d=new Date(t.getAttribute('datetime'));if(!isNaN(d)){t.title=t.textContent;t.textContent=d.toLocaleString();}});
        const csrf=decodeURIComponent((document.cookie.match(/(?:^|; )wharf_csrf=([^;]*)/)||[])[1]||'');
        if(csrf)document.getElementById('logout').hidden=false;
        document.querySelectorAll('button[data-run]').forEach(b=>b.addEventListener('click',async()=>{b.disabled=true;
          const r=await fetch('/api/pipelines/'+encodeURIComponent(b.dataset.run)+'/runs',{method:'POST',headers:csrf?{'X-Wharf-Csrf':csrf}:{}});
          if(r.status===401){location.href='/login?next='+encodeURIComponent(location.pathname+location.search);return;}
          b.textContent=r.status===202?'started':r.status===409?'already running':'refused ('+r.status+')';}));
        """;

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Time(DateTimeOffset? at) => at is { } t && t != DateTimeOffset.MaxValue
        ? $"<time datetime=\"{t.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>"
        : "<span class=muted>—</span>";

    public static string Age(TimeSpan? age) => age is not { } a ? "never"
        : a.TotalDays >= 1 ? $"{a.TotalDays:F1} d" : a.TotalHours >= 1 ? $"{a.TotalHours:F1} h" : a.TotalMinutes >= 1 ? $"{a.TotalMinutes:F0} min" : $"{a.TotalSeconds:F0} s";

    public static string Page(string title, string body, string? problem)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><link rel=icon href=\"data:,\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)} · Wharf</title><style>{Style}</style></head><body>");
        html.Append("<header><b>Wharf</b><a href=\"/\">Overview</a><a href=\"/runs\">Runs</a><a href=\"/tables\">Tables</a><a href=\"/lake\">Lake</a><a href=\"/lineage\">Lineage</a><a href=\"/metrics\">Metrics</a><form id=logout method=post action=\"/logout\" hidden style=\"margin-left:auto\"><button>Log out</button></form></header><main>");
        if (problem is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=problem>The project file changed but was rejected; the last valid configuration keeps running.\n{Encode(problem)}</div>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<h1>{Encode(title)}</h1>").Append(body);
        html.Append(CultureInfo.InvariantCulture, $"</main><script>{Script}</script></body></html>");
        return html.ToString();
    }
}
