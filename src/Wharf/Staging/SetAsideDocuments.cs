using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Sources.Files;

namespace Wharf.Staging;

/// <summary>
/// Nested JSON: a document the root table's load sets aside (quarantined by a check, removed by a
/// processor, discarded by the contract) takes its lists with it, so no child row points at a
/// document that was not loaded. The root's load notes the set-aside documents' ids in the work
/// area, per pipeline and run (a temporary table, which lives as long as the warehouse is open);
/// each child table's load of the same run, at any depth, leaves out the rows of those documents.
/// Both loads see the same work area: the root's comes first (in the same transaction for a part
/// committed as it comes, before the child streams for a whole extract and in a replay).
/// </summary>
internal static class SetAsideDocuments
{
    /// <summary>Whether the load is of a nested document's root table, whose rows have ids their lists point at.</summary>
    public static bool IsRoot(LoadRequest request) =>
        !IsChild(request) && !request.Files.IsEmpty && request.Files[0].Columns.Any(c => c.Name == NestedJson.Id);

    /// <summary>Whether the load is of a child table of nested JSON (keyed by its parent and its place in the list).</summary>
    public static bool IsChild(LoadRequest request) => NestedJson.IsChildKey(request.PrimaryKey);

    /// <summary>
    /// The statement that notes the documents a root load sets aside (<paramref name="ids"/>, a query
    /// of their <c>_wharf_id</c>), or forgets an earlier part's when it sets none aside.
    /// </summary>
    public static string Note(LoadRequest request, string? ids) => ids is null
        ? $"DROP TABLE IF EXISTS temp.main.{Relation(request)}"
        : $"CREATE OR REPLACE TEMP TABLE {Relation(request)} AS SELECT DISTINCT CAST(i.{NestedJson.Id} AS VARCHAR) AS id FROM ({ids}) AS i";

    /// <summary>The relation of the documents the root's load of this run set aside, for a child load; null when it set none aside.</summary>
    public static async Task<string?> ForChildAsync(DuckDBConnection workArea, LoadRequest request, CancellationToken cancellationToken)
    {
        var relation = Relation(request);
        var noted = await workArea.RunInterruptibly(
            () => (long)workArea.Scalar("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = $1", relation)!, cancellationToken);
        return noted > 0 ? $"temp.main.{relation}" : null;
    }

    /// <summary>The condition a child row meets when its document was not set aside.</summary>
    public static string Kept(string relation) => $"{NestedJson.RootId} NOT IN (SELECT id FROM {relation})";

    /// <summary>
    /// One relation per pipeline and run: the run id is the one written into the rows, so a replay
    /// of several runs keeps each run's documents apart.
    /// </summary>
    private static string Relation(LoadRequest request)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Schema}\n{request.Record.Pipeline}\n{request.RowsRunId ?? request.Record.RunId}"));
        return $"__wharf_set_aside_{Convert.ToHexStringLower(hash, 0, 8)}";
    }
}
