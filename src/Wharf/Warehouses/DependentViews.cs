using System.Data.Common;
using Wharf.Dialects;

namespace Wharf.Warehouses;

/// <summary>
/// Keeps the views that read a table while the table is replaced (a <c>replace</c> load, a
/// <c>table</c> model): where the engine binds views to the table itself (PostgreSQL), their
/// definitions are read first, the table is dropped with them (CASCADE), and they are created
/// again over the new table, in the same transaction. Engines that bind views by name need none of it.
/// </summary>
internal static class DependentViews
{
    public sealed record View(string Schema, string Name, string Definition)
    {
        public override string ToString() => $"{Schema}.{Name}";
    }

    /// <summary>The views that read the relation, each after the views it reads; empty where the engine keeps them anyway.</summary>
    public static async Task<List<View>> ReadAsync(DbConnection connection, SqlDialect dialect, string schema, string name, CancellationToken cancellationToken)
    {
        var views = new List<View>();
        if (dialect.DependentViews(schema, name) is not { } query)
        {
            return views;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = query;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new View(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return views;
    }

    /// <summary>What to add to a <c>DROP</c> of the relation: CASCADE when its views were read (and will be created again).</summary>
    public static string Cascade(List<View> views) => views.Count > 0 ? " CASCADE" : "";

    /// <exception cref="WharfException">A view no longer fits the new relation (a column it reads is gone); the message names it.</exception>
    public static async Task RecreateAsync(DbConnection connection, List<View> views, CancellationToken cancellationToken)
    {
        foreach (var view in views)
        {
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"CREATE VIEW {Quote.Qualified(view.Schema, view.Name)} AS {view.Definition}";
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (DbException ex)
            {
                throw new WharfException(
                    $"The view {view} reads this table and could not be created again over the new one: {ex.Message} Change the view to fit the new columns (or build it as a model), then run again.", ex);
            }
        }
    }
}
