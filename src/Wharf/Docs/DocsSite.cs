using System.Collections.Immutable;
using System.Text;
using Wharf.Lineage;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;
using static Wharf.Docs.DocsPage;

namespace Wharf.Docs;

/// <summary>
/// <c>wharf docs --out DIR</c>: a static site of the project, readable offline: a page per model,
/// seed, source and loaded table (description, columns with their warehouse types and
/// descriptions, tests with their last results, compiled SQL, what it reads and what reads it,
/// its neighbourhood in the lineage), an index with search, and the whole lineage as SVG.
/// </summary>
internal sealed class DocsSite(Project project, ModelProject models, IWarehouse? warehouse, IReadOnlyList<RunRecord> runs)
{
    private readonly ModelCompiler compiler = new(models, project.Pipelines,
        new ModelTarget(project.Warehouse.Kind == WarehouseKind.Postgres ? "postgres" : "duckdb", models.DefaultSchema));

    private readonly LineageGraph lineage = LineageReader.Build(project, models, runs);

    /// <summary>Writes the site; returns the pages written.</summary>
    public async Task<int> WriteAsync(string folder, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "style.css"), Style, cancellationToken);
        var pages = new List<(string Path, string Title, string Kind, string Search)>();

        foreach (var model in models.Models.Where(compiler.IsEnabled))
        {
            var parsed = compiler.Parse(model);
            var sql = compiler.Compile(model).Sql;
            var body = Header(model.Name, $"{ModelConfig.Name(parsed.Config.Materialized)} model · {parsed.Relation.Display}", compiler.Describe(model.Description, model.File))
                + Columns(parsed.Relation, model.Columns, model.Tests, model.File)
                + Tests(parsed.Relation, model.Tests)
                + Neighbours($"table:{parsed.Relation.Display}")
                + $"<h2>Compiled SQL</h2>\n<p class=\"kind\">{Encode(model.File)}</p>\n<pre><code>{Encode(sql.Trim())}</code></pre>";
            await WritePageAsync(folder, ModelPage(model.Name), model.Name, body, cancellationToken);
            pages.Add((ModelPage(model.Name), model.Name, "model", $"{model.Name} {model.Description} {string.Join(' ', parsed.Config.Tags)}"));
        }

        foreach (var seed in models.Seeds)
        {
            var relation = compiler.RelationOf(seed.Name);
            var body = Header(seed.Name, $"seed · {relation.Display}", compiler.Describe(seed.Description, seed.File))
                + Columns(relation, seed.Columns, seed.Tests, seed.File) + Tests(relation, seed.Tests) + Neighbours($"table:{relation.Display}");
            await WritePageAsync(folder, SeedPage(seed.Name), seed.Name, body, cancellationToken);
            pages.Add((SeedPage(seed.Name), seed.Name, "seed", $"{seed.Name} {seed.Description}"));
        }

        foreach (var source in models.Sources)
        {
            var relation = new Relation(source.Schema, source.Identifier);
            var body = Header($"{source.SourceName}.{source.Table}", $"source · {relation.Display}", compiler.Describe(source.Description, "sources"))
                + Columns(relation, source.Columns, source.Tests, "sources") + Tests(relation, source.Tests) + Neighbours($"table:{relation.Display}");
            await WritePageAsync(folder, SourcePage(source), $"{source.SourceName}.{source.Table}", body, cancellationToken);
            pages.Add((SourcePage(source), $"{source.SourceName}.{source.Table}", "source", $"{source.SourceName} {source.Table} {source.Description}"));
        }

        // Tables the pipelines load that no source entry describes.
        foreach (var table in lineage.Nodes.Where(n => Page(n) == TablePage(n.Name)))
        {
            var parts = table.Name.Split('.', 2);
            var relation = new Relation(parts[0], parts[^1]);
            var body = Header(table.Name, "table", table.Detail ?? "") + Columns(relation, [], [], project.File) + Neighbours(table.Id);
            await WritePageAsync(folder, TablePage(table.Name), table.Name, body, cancellationToken);
            pages.Add((TablePage(table.Name), table.Name, "table", $"{table.Name} {table.Detail}"));
        }

        var graph = $"<h1>Lineage</h1>\n<p class=\"kind\">sources → lake → tables → models → exports; click a node</p>\n<div class=\"graph\">{LineageSvg.Draw(lineage, n => Link(n, ""))}</div>";
        await File.WriteAllTextAsync(Path.Combine(folder, "lineage.html"), Render("Lineage", "", graph), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "index.html"), Render("Index", "", Index(pages)), cancellationToken);
        return pages.Count + 2;
    }

    private static string ModelPage(string name) => $"models/{name}.html";

    private static string SeedPage(string name) => $"seeds/{name}.html";

    private static string SourcePage(ModelSource source) => $"sources/{source.SourceName}.{source.Table}.html";

    private static string TablePage(string name) => $"tables/{name}.html";

    /// <summary>The page of a lineage node, relative to a page <paramref name="root"/> deep; null when it has none.</summary>
    private string? Link(LineageNode node, string root) => Page(node) is { } page ? root + page : null;

    /// <summary>A table's or model's page: the model's, seed's or source's, else a page of its own; null for other nodes.</summary>
    private string? Page(LineageNode node)
    {
        var name = node.Name;
        if (node.Kind is not (LineageKind.Model or LineageKind.Table) || name.EndsWith(".*", StringComparison.Ordinal))
        {
            return null;
        }

        return models.Models.FirstOrDefault(m => compiler.IsEnabled(m) && compiler.RelationOf(m.Name).Display == name) is { } model ? ModelPage(model.Name)
            : models.Seeds.FirstOrDefault(s => compiler.RelationOf(s.Name).Display == name) is { } seed ? SeedPage(seed.Name)
            : models.Sources.FirstOrDefault(s => $"{s.Schema}.{s.Identifier}" == name) is { } source ? SourcePage(source)
            : TablePage(name);
    }

    private static string Header(string title, string kind, string description) =>
        $"<h1>{Encode(title)}</h1>\n<p class=\"kind\">{Encode(kind)}</p>\n" + (description.Length == 0 ? "" : $"<div class=\"description\">{Encode(description)}</div>\n");

    private string Columns(Relation relation, ImmutableArray<ColumnDoc> documented, ImmutableArray<CheckSettings> tests, string where)
    {
        var actual = WarehouseColumns(relation);
        var names = actual.Select(c => c.Name).Concat(documented.Select(d => d.Name)).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return "<h2>Columns</h2>\n<p>Not built yet: build the project, then write the docs again to see its columns.</p>\n";
        }

        var rows = new StringBuilder("<h2>Columns</h2>\n<table>\n<tr><th>column</th><th>type</th><th>description</th><th>tests</th></tr>\n");
        foreach (var name in names)
        {
            var type = actual.FirstOrDefault(c => c.Name == name).Type ?? "—";
            var description = compiler.Describe(documented.FirstOrDefault(d => d.Name == name)?.Description, where);
            var checks = string.Join(", ", tests.Where(t => t.Columns.Contains(name)).Select(t => t.Name));
            rows.Append($"<tr><td><code>{Encode(name)}</code></td><td><code>{Encode(type)}</code></td><td class=\"description\">{Encode(description)}</td><td>{Encode(checks)}</td></tr>\n");
        }

        return rows.Append("</table>\n").ToString();
    }

    private string Tests(Relation relation, ImmutableArray<CheckSettings> tests)
    {
        if (tests.IsEmpty)
        {
            return "";
        }

        var last = LastResults(relation);
        var rows = new StringBuilder("<h2>Tests</h2>\n<table>\n<tr><th>test</th><th>severity</th><th>last result</th><th>when</th></tr>\n");
        foreach (var test in tests)
        {
            var result = last.GetValueOrDefault(test.Name);
            var status = result.Status ?? "not run yet";
            rows.Append($"<tr><td><code>{Encode(test.Name)}</code></td><td>{Encode(test.Severity.ToString().ToLowerInvariant())}</td>" +
                $"<td class=\"{Encode(status)}\">{Encode(status)}{(result.Message is { Length: > 0 } m && status != "passed" ? " — " + Encode(m) : "")}</td><td>{Encode(result.When)}</td></tr>\n");
        }

        return rows.Append("</table>\n").ToString();
    }

    private string Neighbours(string id)
    {
        if (lineage.Find(id) is not { } node)
        {
            return "";
        }

        string List(IEnumerable<string> ids) => string.Join("", ids.Select(lineage.Find).OfType<LineageNode>()
            .Select(n => Link(n, "../") is { } href ? $"<li><a href=\"{Encode(href)}\">{Encode(n.Name)}</a></li>" : $"<li>{Encode(n.Kind.ToString().ToLowerInvariant())} {Encode(n.Name)}</li>"));
        var around = lineage.Around([node], upstream: true, downstream: true);
        return $"<h2>Reads</h2>\n<ul class=\"links\">{List(lineage.Upstream(id))}</ul>\n<h2>Read by</h2>\n<ul class=\"links\">{List(lineage.Downstream(id))}</ul>\n" +
            $"<h2>Lineage</h2>\n<div class=\"graph\">{LineageSvg.Draw(around, n => Link(n, "../"), id)}</div>\n";
    }

    private static string Index(List<(string Path, string Title, string Kind, string Search)> pages)
    {
        var html = new StringBuilder("<h1>Index</h1>\n<p><input id=\"q\" type=\"search\" placeholder=\"Search models, seeds, sources, tables…\" autofocus></p>\n");
        foreach (var group in pages.GroupBy(p => p.Kind))
        {
            html.Append($"<section class=\"group\"><h2>{Encode(group.Key)}s</h2>\n<ul class=\"links\">\n");
            foreach (var page in group.OrderBy(p => p.Title, StringComparer.Ordinal))
            {
                html.Append($"<li data-search=\"{Encode(page.Search.ToLowerInvariant())}\"><a href=\"{Encode(page.Path)}\">{Encode(page.Title)}</a></li>\n");
            }

            html.Append("</ul></section>\n");
        }

        return html.Append("""
            <script>
            document.getElementById('q').addEventListener('input', e => {
              const q = e.target.value.trim().toLowerCase();
              for (const li of document.querySelectorAll('li[data-search]'))
                li.hidden = q.length > 0 && !li.dataset.search.includes(q) && !li.textContent.toLowerCase().includes(q);
            });
            </script>
            """).ToString();
    }

    private List<(string Name, string? Type)> WarehouseColumns(Relation relation)
    {
        if (warehouse is null)
        {
            return [];
        }

        try
        {
            using var reader = warehouse.Query(
                $"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = {Quote.Literal(relation.Schema)} AND table_name = {Quote.Literal(relation.Name)} ORDER BY ordinal_position");
            var columns = new List<(string, string?)>();
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }

            return columns;
        }
        catch (WharfException)
        {
            return [];
        }
    }

    private Dictionary<string, (string? Status, string? Message, string? When)> LastResults(Relation relation)
    {
        var results = new Dictionary<string, (string?, string?, string?)>(StringComparer.Ordinal);
        if (warehouse is null)
        {
            return results;
        }

        try
        {
            using var reader = warehouse.Query(
                $"SELECT check_name, status, message, CAST(checked_at AS VARCHAR) FROM _wharf.check_results WHERE table_name = {Quote.Literal(relation.Display)} ORDER BY checked_at");
            while (reader.Read())
            {
                results[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2), reader.GetString(3));
            }
        }
        catch (WharfException)
        {
            // No audit yet: every test is "not run yet".
        }

        return results;
    }

    private static async Task WritePageAsync(string folder, string path, string title, string body, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, Render(title, "../", body), cancellationToken);
    }
}
