using System.Data.Common;
using Wharf.Dialects;
using Wharf.Warehouses;

namespace Wharf.Models;

/// <summary>
/// Builds one model's relation in one transaction, so a failed build leaves the old relation:
/// a view replaced; a table built beside the old one and swapped in; an incremental table
/// appended to or merged into by its unique key (delete the keys the new rows have, insert).
/// On PostgreSQL the views that read a replaced relation are created again over the new one.
/// </summary>
internal sealed class ModelMaterializer(DbConnection connection, SqlDialect dialect)
{
    private const string Increment = "__wharf_increment";

    /// <summary>What the build did.</summary>
    /// <param name="Rows">Rows in the table (null for a view).</param>
    public sealed record Outcome(long? Rows, long Inserted, long Updated, IReadOnlyList<string> Notes);

    /// <summary>Whether the relation exists, and as what: <c>table</c>, <c>view</c>, or null.</summary>
    public async Task<string?> KindAsync(Relation relation, CancellationToken cancellationToken)
    {
        var type = await ScalarAsync(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2", cancellationToken, relation.Schema, relation.Name);
        return type switch
        {
            null => null,
            "VIEW" => "view",
            _ => "table",
        };
    }

    public async Task<Outcome> BuildAsync(CompiledModel model, string? existing, bool fullRefresh, CancellationToken cancellationToken)
    {
        var relation = model.Relation;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Quote.Identifier(relation.Schema)}", cancellationToken);
        var notes = new List<string>();
        Outcome outcome;
        switch (model.Config.Materialized)
        {
            case Materialization.View:
                var views = await DropAsync(relation, existing, cancellationToken);
                await ExecuteAsync($"CREATE OR REPLACE VIEW {relation} AS\n{Body(model.Sql)}", cancellationToken);
                await RecreateAsync(views, notes, cancellationToken);
                outcome = new Outcome(null, 0, 0, notes);
                break;
            case Materialization.Incremental when existing == "table" && !fullRefresh:
                outcome = await MergeAsync(model, cancellationToken);
                break;
            default:
                var fresh = Quote.Qualified(relation.Schema, relation.Name + "__wharf_new");
                await ExecuteAsync($"DROP TABLE IF EXISTS {fresh}", cancellationToken);
                var rows = await ExecuteAsync($"CREATE TABLE {fresh} AS\n{Body(model.Sql)}", cancellationToken);
                var dependents = await DropAsync(relation, existing, cancellationToken);
                await ExecuteAsync($"ALTER TABLE {fresh} RENAME TO {Quote.Identifier(relation.Name)}", cancellationToken);
                await RecreateAsync(dependents, notes, cancellationToken);
                rows = await CountAsync(relation, cancellationToken);
                outcome = new Outcome(rows, rows, 0, notes);
                break;
        }

        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>The rows the model selects now (with <c>is_incremental()</c> true), merged by the unique key, or appended.</summary>
    private async Task<Outcome> MergeAsync(CompiledModel model, CancellationToken cancellationToken)
    {
        var relation = model.Relation;
        await ExecuteAsync(dialect.TempTable(Increment, Body(model.Sql)), cancellationToken);
        var target = await ColumnsAsync(relation.ToString(), cancellationToken);
        var increment = await ColumnsAsync(Increment, cancellationToken);
        var shared = increment.Where(c => target.Contains(c, StringComparer.Ordinal)).ToList();
        var notes = new List<string>();
        var extra = increment.Except(target, StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
        {
            notes.Add($"the model's column(s) {string.Join(", ", extra)} are not in {relation.Display}, so they were not written; build with --full-refresh to add them");
        }

        var missingKey = model.Config.UniqueKey.FirstOrDefault(k => !shared.Contains(k, StringComparer.Ordinal));
        if (missingKey is not null)
        {
            throw new WharfException($"unique_key '{missingKey}' of model '{model.Model.Name}' is not a column of both the model's rows and {relation.Display}. Columns: {string.Join(", ", shared)}.");
        }

        long updated = 0;
        if (!model.Config.UniqueKey.IsEmpty)
        {
            var keys = string.Join(", ", model.Config.UniqueKey.Select(Quote.Identifier));
            updated = await ExecuteAsync($"DELETE FROM {relation} WHERE ({keys}) IN (SELECT {keys} FROM {Increment})", cancellationToken);
        }

        var columns = string.Join(", ", shared.Select(Quote.Identifier));
        var inserted = await ExecuteAsync($"INSERT INTO {relation} ({columns}) SELECT {columns} FROM {Increment}", cancellationToken);
        await ExecuteAsync($"DROP TABLE IF EXISTS {Increment}", cancellationToken);
        return new Outcome(await CountAsync(relation, cancellationToken), inserted - updated, updated, notes);
    }

    /// <summary>Drops what is there now (a view may become a table and back), first reading the views that read it where the engine would lose them.</summary>
    private async Task<List<DependentViews.View>> DropAsync(Relation relation, string? existing, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            return [];
        }

        var views = await DependentViews.ReadAsync(connection, dialect, relation.Schema, relation.Name, cancellationToken);
        await ExecuteAsync($"DROP {(existing == "view" ? "VIEW" : "TABLE")} {relation}{DependentViews.Cascade(views)}", cancellationToken);
        return views;
    }

    private async Task RecreateAsync(List<DependentViews.View> views, List<string> notes, CancellationToken cancellationToken)
    {
        await DependentViews.RecreateAsync(connection, views, cancellationToken);
        if (views.Count > 0)
        {
            notes.Add($"created again the view(s) that read it: {string.Join(", ", views)}");
        }
    }

    /// <summary>The select without a trailing semicolon, so it can be wrapped.</summary>
    private static string Body(string sql) => sql.TrimEnd().TrimEnd(';');

    private async Task<long> CountAsync(Relation relation, CancellationToken cancellationToken) =>
        Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {relation}", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A relation's column names, read from an empty select (a temporary table's schema differs by engine).</summary>
    private async Task<List<string>> ColumnsAsync(string relation, CancellationToken cancellationToken)
    {
        await using var command = Command($"SELECT * FROM {relation} LIMIT 0");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
    }

    private async Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(sql);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private DbCommand Command(string sql, params object[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
