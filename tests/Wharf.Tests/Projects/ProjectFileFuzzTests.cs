using System.Text;
using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>
/// Random mutations of valid projects (lines dropped, doubled or shifted, values replaced by wrong
/// types, unicode, huge or deeply nested values, unknown keys, truncation): each must load, or fail
/// with Wharf's own error that says where; never another exception and never a hang. Seeded, so a
/// failure can be reproduced from the case number it prints. WHARF_FUZZ_CASES runs more.
/// </summary>
public sealed class ProjectFileFuzzTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly string[] Bases =
    [
        """
        warehouse: warehouse.duckdb
        connections:
          files: { type: files, path: data/ }
          shop: { type: postgres, url: "postgres://etl:${SHOP_PASSWORD}@db.example:5432/shop" }
          api: { type: http, base_url: "https://api.example/v1/", auth: { type: bearer, token: "${API_TOKEN}" }, rate_limit: 5 }
        pipelines:
          orders:
            source: files
            files: "orders/*.csv"
            mode: merge
            primary_key: [order_id]
            cursor: updated_at
            columns: { amount: "decimal(12,2)", ordered_at: timestamptz }
            checks:
              - not_null: [order_id]
              - range: { column: amount, min: 0 }
            on_check_failure: quarantine
            freshness: 2h
            deviation: { rows: 50% }
          shop_sync: { source: shop, tables: ["public.*", "!public.audit_*"], keys: true }
          movies:
            source: api
            endpoint: /movies
            records: data.items
            paginate: { type: cursor, cursor_path: meta.next, cursor_param: after }
        schedules:
          hourly: { cron: "0 * * * *", timezone: Europe/Lisbon, run: [orders], then: [build: "tag:marts"] }
        alerts:
          ops: { webhook: "https://hooks.example/x", on: [run_failed, deviation] }
        """,
        """
        connections:
          local: { type: files, path: . }
        pipelines:
          events:
            source: local
            files: ["events/**/*.ndjson"]
            table: events
            max_nesting: 2
            schema_contract: { columns: freeze, data_type: discard_row }
            transform:
              - rename: { ts: event_time }
              - filter: "event_time is not null"
        """,
    ];

    private static readonly string[] Values =
    [
        "", "~", "-1", "0", "1e309", "NaN", "[]", "{}", "[[]]", "{a: {b: {c: []}}}", "true", "'unterminated", "\"unterminated",
        "${UNDEFINED_VARIABLE}", "${", "ção 😀 \u200b", "\t", "- a\n- b", "&anchor x", "*alias", "!!binary AAAA", "? complex key",
        "%", "|", ">", "@", "`", "2026-13-45", "99999999999999999999999", "-9223372036854775809", "0x10", "1_000",
    ];

    private static readonly string[] Keys = ["bogus", "mode", "source", "files", "cursor", "primary_key", "checks", "type", "path", "tables", "endpoint", "cron", "every", "run"];

    [Fact]
    public async Task TheProjectsMutated_AreValidAsTheyAre()
    {
        foreach (var yaml in Bases)
        {
            folder.WriteProject(yaml);
            (await folder.LoadAsync(new Dictionary<string, string> { ["SHOP_PASSWORD"] = "s3cret", ["API_TOKEN"] = "t0ken" })).Pipelines.ShouldNotBeEmpty();
        }
    }

    [Fact]
    public async Task MutatedProjects_LoadOrFailWithWharfsOwnError()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("WHARF_FUZZ_CASES"), out var n) ? n : 3000;
        var random = new Random(20261204);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < cases; i++)
        {
            var yaml = Mutate(Bases[i % Bases.Length], random);
            folder.WriteProject(yaml);
            string outcome;
            try
            {
                await folder.LoadAsync(new Dictionary<string, string> { ["SHOP_PASSWORD"] = "s3cret", ["API_TOKEN"] = "t0ken" })
                    .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
                outcome = "loaded";
            }
            catch (WharfException ex)
            {
                ex.Message.ShouldNotBeNullOrWhiteSpace($"case {i}:\n{yaml}");
                ex.Message.ShouldNotContain("s3cret", customMessage: $"case {i}: a secret in the error\n{yaml}");
                outcome = ex.GetType().Name;
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                throw new ShouldAssertException($"case {i}: {ex.GetType().Name} instead of Wharf's own error: {ex.Message}\n--- wharf.yml ---\n{yaml}", ex);
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // Both kinds happen: mutations that leave a valid project, and ones that are refused.
        outcomes.GetValueOrDefault("loaded").ShouldBeGreaterThan(cases / 50, string.Join(", ", outcomes));
        outcomes.Where(o => o.Key != "loaded").Sum(o => o.Value).ShouldBeGreaterThan(cases / 2, string.Join(", ", outcomes));
    }

    private static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        for (var step = random.Next(1, 4); step > 0; step--)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(10))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[at]);
                    break;
                case 2:
                    lines[at] = random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                    break;
                case 3:
                case 4:
                    lines[at] = ReplaceValue(lines[at], Values[random.Next(Values.Length)]);
                    break;
                case 5:
                    lines.Insert(at, new string(' ', 2 * random.Next(0, 4)) + Keys[random.Next(Keys.Length)] + ": " + Values[random.Next(Values.Length)]);
                    break;
                case 6:
                    lines[at] = ReplaceValue(lines[at], new string('x', random.Next(1, 200_000)));
                    break;
                case 7:
                    var depth = random.Next(1, 200);
                    lines[at] = ReplaceValue(lines[at], new string('[', depth) + "1" + new string(']', depth));
                    break;
                case 8:
                    var joined = string.Join('\n', lines);
                    return joined[..random.Next(joined.Length)];
                default:
                    var chars = new StringBuilder(lines[at]);
                    if (chars.Length > 1)
                    {
                        var a = random.Next(chars.Length);
                        var b = random.Next(chars.Length);
                        (chars[a], chars[b]) = (chars[b], chars[a]);
                        lines[at] = chars.ToString();
                    }

                    break;
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>The line with what follows its first ": " replaced (the line itself when it has none).</summary>
    private static string ReplaceValue(string line, string value)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? value : line[..(colon + 2)] + value;
    }
}
