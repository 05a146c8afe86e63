using System.Collections.Immutable;
using Npgsql;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// Tables (in foreign-key order) or one query of a PostgreSQL database. Rows stream out by binary
/// COPY into a DuckDB <see cref="StagingTable"/>, which goes to the lake in parts, so memory
/// stays flat whatever the table's size.
/// </summary>
public sealed class PostgresSource(ConnectionSettings connection, PipelineSettings pipeline) : ISource
{
    private readonly Dictionary<string, (string From, ImmutableArray<CatalogColumn> Columns)> plans = new(StringComparer.Ordinal);

    /// <summary>Notes about the load order (self-references, cycles), for the log.</summary>
    public IReadOnlyList<string> Notes { get; private set; } = [];

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        await using var database = await PostgresConnector.OpenAsync(connection, cancellationToken);
        if (pipeline.Query is { } query)
        {
            var columns = await DescribeQueryAsync(database, query, cancellationToken);
            plans[pipeline.Table] = ($"({query}) AS q", columns);
            return [new SourceStream(pipeline.Table, "query", pipeline.Table, [])];
        }

        var catalog = await PostgresCatalogReader.ReadAsync(database, cancellationToken);
        var selection = CatalogStreams.Select(catalog, pipeline, connection, PostgresConnector.Describe(connection));
        Notes = selection.Notes;
        foreach (var table in selection.Tables)
        {
            plans[table.Name] = (Quote.Qualified(table.Schema, table.Name), table.Columns);
        }

        return selection.Streams;
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, DuckDbConnection workArea, LakeWriter lake, LakeTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (from, columns) = plans[stream.Name];
        var columnPlans = columns.Select(c => PostgresColumnPlan.For(stream.Name, c)).ToList();
        var copy = $"COPY (SELECT {string.Join(", ", columnPlans.Select(p => p.CopyExpression))} FROM {from}) TO STDOUT (FORMAT BINARY)";
        await using var stage = await StagingTable.CreateAsync(workArea, lake, target,
            [.. columnPlans.Select(p => new StagingTable.Column(p.Name, p.StageType, p.LakeExpression))], cancellationToken);
        await using var database = await PostgresConnector.OpenAsync(connection, cancellationToken);

        // The COPY loop is synchronous (Npgsql's binary exporter and DuckDB's appender are
        // fastest that way), so it runs on a pool thread.
        return await Task.Run(() => CopyAsync(database, stage, stream, columnPlans, copy, cancellationToken), cancellationToken);
    }

    private async Task<IReadOnlyList<LakeManifest>> CopyAsync(
        NpgsqlConnection database, StagingTable stage, SourceStream stream, List<PostgresColumnPlan> columnPlans, string copy, CancellationToken cancellationToken)
    {
        var values = new object?[columnPlans.Count];
        long row = 0;
        try
        {
            using (var exporter = database.BeginBinaryExport(copy))
            using (cancellationToken.Register(exporter.Cancel))
            {
                while (exporter.StartRow() != -1)
                {
                    row++;
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = exporter.IsNull ? Skip(exporter) : Read(exporter, columnPlans[i], stream.Name, row);
                    }

                    await stage.AppendAsync(values, cancellationToken);
                }
            }

            return await stage.CompleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or DuckDbException or InvalidCastException or FormatException or OverflowException)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': reading {stream.Description} from '{connection.Name}' failed near row {row}: {Explain(ex)} Nothing was loaded.", ex)
            {
                Transient = PostgresConnector.IsTransient(ex),
            };
        }
    }

    private static object? Skip(NpgsqlBinaryExporter exporter)
    {
        exporter.Skip();
        return null;
    }

    private static object Read(NpgsqlBinaryExporter exporter, PostgresColumnPlan plan, string table, long row)
    {
        try
        {
            return plan.Read(exporter);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException)
        {
            throw new InvalidCastException($"column {table}.{plan.Name}, row {row}: {ex.Message}", ex);
        }
    }

    private static string Explain(Exception ex) => ex switch
    {
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState}).",
        DuckDbException duck => duck.Summary,
        _ => ex.Message.EndsWith('.') ? ex.Message : ex.Message + ".",
    };

    /// <summary>The columns of a query, by describing it as a temporary view (domains resolved like tables').</summary>
    private async Task<ImmutableArray<CatalogColumn>> DescribeQueryAsync(NpgsqlConnection database, string query, CancellationToken cancellationToken)
    {
        try
        {
            await using (var create = new NpgsqlCommand($"CREATE TEMP VIEW wharf_query AS {query}", database))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var tables = await PostgresCatalogReader.ReadRelationAsync(database, "wharf_query", cancellationToken);
            return tables.Columns;
        }
        catch (PostgresException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table,
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the query does not run on '{connection.Name}': {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }
    }
}
