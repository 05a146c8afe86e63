// PgLoadProbe: rows of a DuckDB query → PostgreSQL binary COPY, in several ways, to see where the
// client's time goes in wharf's PostgreSQL load (bench/postgres.sh, bench/README.md).
//   PgLoadProbe --variant V --sql "SELECT ... FROM read_parquet('...')" [--pg CONNSTR --table NAME] [--out FILE]
// Variants (each prints rows, wall seconds and this process's CPU seconds):
//   read         DuckDB.NET's streaming DuckDBDataReader, every value read with the getter wharf uses; nothing written
//   npgsql       what wharf does: reader → NpgsqlBinaryImporter.Write(value, NpgsqlDbType) per value
//   raw          reader → a hand-written binary COPY encoder → NpgsqlRawCopyStream
//   raw-null     the same encoder, output thrown away (client cost alone)
//   native       DuckDB's data chunks read in place (no .NET strings) → encoder → NpgsqlRawCopyStream
//   native-null  the same, output thrown away
//   native-file  the same, output to --out FILE (for psql \copy ... FROM FILE (FORMAT binary): the server alone)
//   pg-export-null   wharf's PostgreSQL extract loop (--pg, --sql = COPY (SELECT ...) TO STDOUT (FORMAT BINARY)), values dropped
//   pg-export-stage  the same, values appended to a DuckDB temporary table with DuckDB.NET's appender as
//                    wharf's StagingTable does (timestamps staged as BIGINT microseconds, numeric as text);
//                    emptied every 1,000,000 rows; --reset delete (wharf), truncate or drop
//   exec         runs --sql as one statement in an in-memory DuckDB (e.g. the extract's COPY ... TO parquet)
// Supported column types: BIGINT, INTEGER, DOUBLE, VARCHAR, TIMESTAMP, TIMESTAMPTZ. As in wharf (PostgresColumn),
// the reader variants read timestamps as BIGINT microseconds from 1970 (PostgresTime.EpochMicros's SQL).
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using DuckDB.NET.Data;
using Npgsql;
using NpgsqlTypes;

var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

var variant = options["variant"];
var sql = options["sql"];
if (variant == "exec")
{
    // Runs one statement (e.g. COPY ... TO parquet) in an in-memory DuckDB, as wharf's work area does.
    var started = Stopwatch.StartNew();
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    using var connection = Duck.Open();
    var changed = Duck.Execute(connection, sql);
    Console.WriteLine($"variant=exec rows={changed} wall_s={started.Elapsed.TotalSeconds:F2} client_cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds:F2}");
    return 0;
}

if (variant is "pg-export-null" or "pg-export-stage")
{
    // Wharf's extract from PostgreSQL (PostgresSource.CopyAsync), --sql being the COPY ... TO STDOUT
    // (FORMAT BINARY) of the orders table: values read one by one into object[] and, for
    // pg-export-stage, appended to a DuckDB temporary table (wharf's StagingTable, no lake write).
    var started = Stopwatch.StartNew();
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    var exported = Probe.Export(options["pg"], sql, variant == "pg-export-stage", options.GetValueOrDefault("reset", "delete"));
    Console.WriteLine($"variant={variant} rows={exported} wall_s={started.Elapsed.TotalSeconds:F2} client_cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds:F2}");
    return 0;
}

var kinds = Probe.Describe(sql);
var stopwatch = Stopwatch.StartNew();
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
long rows;
if (variant is "read" or "raw-null" or "native-null" or "native-file")
{
    rows = variant switch
    {
        "read" => Probe.ReadOnly(sql, kinds),
        "raw-null" => Probe.EncodeFromReader(sql, kinds, Stream.Null),
        "native-null" => Native.Encode(sql, kinds, Stream.Null),
        _ => WithFile(options["out"], s => Native.Encode(sql, kinds, s)),
    };
}
else
{
    await using var connection = new NpgsqlConnection(options["pg"]);
    await connection.OpenAsync();
    await using var transaction = await connection.BeginTransactionAsync();
    var table = options["table"];
    var definition = string.Join(", ", kinds.Select(k => $"\"{k.Name}\" {k.PgType}"));
    await using (var create = new NpgsqlCommand($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({definition})", connection))
    {
        await create.ExecuteNonQueryAsync();
    }

    var copy = $"COPY {table} FROM STDIN (FORMAT BINARY)";
    rows = variant switch
    {
        "npgsql" => Probe.Npgsql(sql, kinds, connection, copy),
        "raw" => WithRaw(connection, copy, s => Probe.EncodeFromReader(sql, kinds, s)),
        "native" => WithRaw(connection, copy, s => Native.Encode(sql, kinds, s)),
        _ => throw new ArgumentException($"unknown variant {variant}"),
    };
    await transaction.CommitAsync();
}

var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
Console.WriteLine($"variant={variant} rows={rows} wall_s={stopwatch.Elapsed.TotalSeconds:F2} client_cpu_s={cpu:F2}");
return 0;

static long WithRaw(NpgsqlConnection connection, string copy, Func<Stream, long> body)
{
    using var stream = connection.BeginRawBinaryCopy(copy);
    return body(stream);
}

static long WithFile(string path, Func<Stream, long> body)
{
    using var stream = File.Create(path);
    return body(stream);
}

internal enum Kind { Int64, Int32, Double, Text, Timestamp }

internal sealed record Column(string Name, Kind Kind, string PgType);

internal static class Probe
{
    public const long EpochShiftMicros = 10_957L * 86_400_000_000L;

    /// <summary>The query's columns, as DuckDB's DESCRIBE names their types (wharf's PostgresColumn.Query does the same).</summary>
    public static List<Column> Describe(string sql)
    {
        using var connection = Duck.Open();
        using var reader = Duck.Query(connection, $"DESCRIBE {sql}");
        var columns = new List<Column>();
        while (reader.Read())
        {
            var (name, type) = (reader.GetString(0), reader.GetString(1));
            columns.Add(type switch
            {
                "BIGINT" => new Column(name, Kind.Int64, "bigint"),
                "INTEGER" => new Column(name, Kind.Int32, "integer"),
                "DOUBLE" => new Column(name, Kind.Double, "double precision"),
                "VARCHAR" => new Column(name, Kind.Text, "text"),
                "TIMESTAMP" => new Column(name, Kind.Timestamp, "timestamp"),
                "TIMESTAMP WITH TIME ZONE" => new Column(name, Kind.Timestamp, "timestamptz"),
                _ => throw new NotSupportedException($"column {name}: {type}"),
            });
        }

        return columns;
    }

    /// <summary>
    /// <paramref name="sql"/> with its timestamps as BIGINT microseconds from 1970, as wharf reads them
    /// (PostgresTime.EpochMicros, ±infinity as ±long.MaxValue): DuckDB.NET's DateTime has neither BC years nor infinity.
    /// </summary>
    public static string ReadSql(string sql, List<Column> kinds)
    {
        var columns = kinds.Select(k =>
        {
            var c = "\"" + k.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            return k.Kind == Kind.Timestamp
                ? $"CASE WHEN isinf({c}) THEN (CASE WHEN {c} > '2000-01-01' THEN {long.MaxValue} ELSE {-long.MaxValue} END) ELSE epoch_us({c}) END AS {c}"
                : c;
        });
        return $"SELECT {string.Join(", ", columns)} FROM ({sql})";
    }

    /// <summary>The orders table's columns as wharf plans them (numeric travels as text).</summary>
    /// <param name="reset">How the stage is emptied every 1,000,000 rows: delete (wharf: DELETE FROM), truncate, or drop (DROP and CREATE again).</param>
    public static long Export(string pg, string copy, bool stage, string reset)
    {
        using var connection = new NpgsqlConnection(pg);
        connection.Open();
        using var duck = Duck.Open();
        DuckDBAppender? appender = null;
        // As wharf's PostgresColumnPlan stages them: timestamps as BIGINT microseconds from 1970, numeric as its text.
        const string create = "CREATE TEMP TABLE stage (id BIGINT, customer_id BIGINT, customer_name VARCHAR, created_at BIGINT, status VARCHAR, " +
            "amount VARCHAR, quantity INTEGER, country VARCHAR, note VARCHAR, updated_at BIGINT)";
        if (stage)
        {
            Duck.Execute(duck, create);
            appender = duck.CreateAppender("temp", "main", "stage");
        }

        Func<NpgsqlBinaryExporter, object>[] readers =
        [
            e => e.Read<long>(NpgsqlDbType.Bigint),
            e => e.Read<long>(NpgsqlDbType.Bigint),
            e => e.Read<string>(NpgsqlDbType.Text),
            e => e.Read<long>(NpgsqlDbType.Timestamp) + EpochShiftMicros,
            e => e.Read<string>(NpgsqlDbType.Text),
            e => e.Read<string>(NpgsqlDbType.Text),
            e => e.Read<int>(NpgsqlDbType.Integer),
            e => e.Read<string>(NpgsqlDbType.Text),
            e => e.Read<string>(NpgsqlDbType.Text),
            e => e.Read<long>(NpgsqlDbType.Timestamp) + EpochShiftMicros,
        ];
        var values = new object?[readers.Length];
        long rows = 0, staged = 0;
        using (var exporter = connection.BeginBinaryExport(copy))
        {
            while (exporter.StartRow() != -1)
            {
                for (var i = 0; i < values.Length; i++)
                {
                    if (exporter.IsNull)
                    {
                        exporter.Skip();
                        values[i] = null;
                    }
                    else
                    {
                        values[i] = readers[i](exporter);
                    }
                }

                if (appender is not null)
                {
                    Duck.AppendRow(appender, values);
                    if (++staged == 1_000_000)
                    {
                        appender.Close();
                        appender.Dispose();
                        Duck.Execute(duck, reset switch
                        {
                            "truncate" => "TRUNCATE temp.main.stage",
                            "drop" => "DROP TABLE temp.main.stage; " + create,
                            _ => "DELETE FROM temp.main.stage",
                        });
                        appender = duck.CreateAppender("temp", "main", "stage");
                        staged = 0;
                    }
                }

                rows++;
            }
        }

        appender?.Close();
        appender?.Dispose();
        return rows;
    }

    public static long ReadOnly(string sql, List<Column> kinds)
    {
        using var connection = Duck.Open();
        using var reader = Duck.Query(connection, ReadSql(sql, kinds));
        long rows = 0, sink = 0;
        while (reader.Read())
        {
            rows++;
            for (var i = 0; i < kinds.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    continue;
                }

                sink += kinds[i].Kind switch
                {
                    Kind.Int64 => reader.GetInt64(i),
                    Kind.Int32 => reader.GetInt32(i),
                    Kind.Double => (long)reader.GetDouble(i),
                    Kind.Text => reader.GetString(i).Length,
                    _ => reader.GetInt64(i),
                };
            }
        }

        GC.KeepAlive(sink);
        return rows;
    }

    /// <summary>Wharf's loop (PostgresWarehouse.CopyAsync with PostgresColumn's writers).</summary>
    public static long Npgsql(string sql, List<Column> kinds, NpgsqlConnection connection, string copy)
    {
        using var duck = Duck.Open();
        using var reader = Duck.Query(duck, ReadSql(sql, kinds));
        using var importer = connection.BeginBinaryImport(copy);
        long rows = 0;
        while (reader.Read())
        {
            importer.StartRow();
            for (var i = 0; i < kinds.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    importer.WriteNull();
                    continue;
                }

                switch (kinds[i].Kind)
                {
                    case Kind.Int64: importer.Write(reader.GetInt64(i), NpgsqlDbType.Bigint); break;
                    case Kind.Int32: importer.Write(reader.GetInt32(i), NpgsqlDbType.Integer); break;
                    case Kind.Double: importer.Write(reader.GetDouble(i), NpgsqlDbType.Double); break;
                    case Kind.Text: importer.Write(reader.GetString(i), NpgsqlDbType.Text); break;
                    default:
                        importer.Write(reader.GetInt64(i) - EpochShiftMicros,
                            kinds[i].PgType == "timestamp" ? NpgsqlDbType.Timestamp : NpgsqlDbType.TimestampTz);
                        break;
                }
            }

            rows++;
        }

        importer.Complete();
        return rows;
    }

    public static long EncodeFromReader(string sql, List<Column> kinds, Stream output)
    {
        using var connection = Duck.Open();
        using var reader = Duck.Query(connection, ReadSql(sql, kinds));
        var writer = new CopyWriter(output);
        long rows = 0;
        while (reader.Read())
        {
            writer.StartRow(kinds.Count);
            for (var i = 0; i < kinds.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    writer.Null();
                    continue;
                }

                switch (kinds[i].Kind)
                {
                    case Kind.Int64: writer.Int64(reader.GetInt64(i)); break;
                    case Kind.Int32: writer.Int32(reader.GetInt32(i)); break;
                    case Kind.Double: writer.Int64(BitConverter.DoubleToInt64Bits(reader.GetDouble(i))); break;
                    case Kind.Text: writer.Text(reader.GetString(i)); break;
                    default: writer.Int64(reader.GetInt64(i) - EpochShiftMicros); break;
                }
            }

            rows++;
        }

        writer.Finish();
        return rows;
    }
}

/// <summary>PostgreSQL's binary COPY format, written into a 1 MiB buffer.</summary>
internal sealed class CopyWriter
{
    private readonly Stream output;
    private readonly byte[] buffer = new byte[1 << 20];
    private int position;

    public CopyWriter(Stream output)
    {
        this.output = output;
        ReadOnlySpan<byte> signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
        signature.CopyTo(buffer);
        position = 11 + 8; // signature, flags and header extension length (zeros)
    }

    public void StartRow(int fields)
    {
        if (position > buffer.Length - 65536)
        {
            Flush();
        }

        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(position), (short)fields);
        position += 2;
    }

    public void Null()
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position), -1);
        position += 4;
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position), 8);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(position + 4), value);
        position += 12;
    }

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position), 4);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position + 4), value);
        position += 8;
    }

    public void Text(string value)
    {
        EnsureRoom(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Encoding.UTF8.GetBytes(value, buffer.AsSpan(position + 4));
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position), length);
        position += 4 + length;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        EnsureRoom(4 + value.Length);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(position), value.Length);
        value.CopyTo(buffer.AsSpan(position + 4));
        position += 4 + value.Length;
    }

    public void Finish()
    {
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(position), -1);
        position += 2;
        Flush();
        output.Flush();
    }

    private void EnsureRoom(int bytes)
    {
        if (position + bytes > buffer.Length)
        {
            Flush();
            if (bytes > buffer.Length)
            {
                throw new NotSupportedException("a value over 1 MiB");
            }
        }
    }

    private void Flush()
    {
        output.Write(buffer, 0, position);
        position = 0;
    }
}

/// <summary>
/// DuckDB's C API through function pointers: streaming result, data chunks read in place. The library
/// is the one DuckDB.NET loads (resolved as its own P/Invokes resolve "duckdb").
/// </summary>
internal static unsafe class Native
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Result
    {
        public ulong A, B, C;
        public IntPtr D, E, F;
    }

    public static long Encode(string sql, List<Column> kinds, Stream output)
    {
        var library = NativeLibrary.Load("duckdb", typeof(DuckDB.NET.Native.NativeMethods).Assembly, null);
        T F<T>(string name) where T : unmanaged
        {
            var address = NativeLibrary.GetExport(library, name);
            return *(T*)&address;
        }

        var open = F<IntPtr>("duckdb_open");
        var connect = F<IntPtr>("duckdb_connect");
        var prepare = F<IntPtr>("duckdb_prepare");
        var execute = F<IntPtr>("duckdb_execute_prepared_streaming");
        var resultError = F<IntPtr>("duckdb_result_error");
        var fetch = F<IntPtr>("duckdb_fetch_chunk");
        var chunkSize = F<IntPtr>("duckdb_data_chunk_get_size");
        var chunkVector = F<IntPtr>("duckdb_data_chunk_get_vector");
        var vectorData = F<IntPtr>("duckdb_vector_get_data");
        var vectorValidity = F<IntPtr>("duckdb_vector_get_validity");
        var destroyChunk = F<IntPtr>("duckdb_destroy_data_chunk");

        IntPtr database, connection, statement;
        if (((delegate* unmanaged<byte*, IntPtr*, int>)open)(null, &database) != 0)
        {
            throw new InvalidOperationException("duckdb_open failed");
        }

        ((delegate* unmanaged<IntPtr, IntPtr*, int>)connect)(database, &connection);
        var text = Encoding.UTF8.GetBytes(sql + "\0");
        fixed (byte* query = text)
        {
            if (((delegate* unmanaged<IntPtr, byte*, IntPtr*, int>)prepare)(connection, query, &statement) != 0)
            {
                throw new InvalidOperationException("duckdb_prepare failed");
            }
        }

        Result result;
        if (((delegate* unmanaged<IntPtr, Result*, int>)execute)(statement, &result) != 0)
        {
            throw new InvalidOperationException("query failed: " + Marshal.PtrToStringUTF8(((delegate* unmanaged<Result*, IntPtr>)resultError)(&result)));
        }

        var writer = new CopyWriter(output);
        var data = new void*[kinds.Count];
        var validity = new ulong*[kinds.Count];
        long rows = 0;
        while (true)
        {
            var chunk = ((delegate* unmanaged<Result, IntPtr>)fetch)(result);
            if (chunk == IntPtr.Zero)
            {
                break;
            }

            var size = ((delegate* unmanaged<IntPtr, ulong>)chunkSize)(chunk);
            if (size == 0)
            {
                ((delegate* unmanaged<IntPtr*, void>)destroyChunk)(&chunk);
                break;
            }

            for (var c = 0; c < kinds.Count; c++)
            {
                var vector = ((delegate* unmanaged<IntPtr, ulong, IntPtr>)chunkVector)(chunk, (ulong)c);
                data[c] = (void*)((delegate* unmanaged<IntPtr, IntPtr>)vectorData)(vector);
                validity[c] = (ulong*)((delegate* unmanaged<IntPtr, IntPtr>)vectorValidity)(vector);
            }

            for (ulong row = 0; row < size; row++)
            {
                writer.StartRow(kinds.Count);
                for (var c = 0; c < kinds.Count; c++)
                {
                    var mask = validity[c];
                    if (mask != null && (mask[row >> 6] & (1UL << (int)(row & 63))) == 0)
                    {
                        writer.Null();
                        continue;
                    }

                    switch (kinds[c].Kind)
                    {
                        case Kind.Int64: writer.Int64(((long*)data[c])[row]); break;
                        case Kind.Int32: writer.Int32(((int*)data[c])[row]); break;
                        case Kind.Double: writer.Int64(((long*)data[c])[row]); break;
                        case Kind.Timestamp: writer.Int64(((long*)data[c])[row] - Probe.EpochShiftMicros); break;
                        default:
                            var entry = (byte*)data[c] + (row * 16);
                            var length = *(uint*)entry;
                            writer.Bytes(length <= 12 ? new ReadOnlySpan<byte>(entry + 4, (int)length) : new ReadOnlySpan<byte>(*(byte**)(entry + 8), (int)length));
                            break;
                    }
                }

                rows++;
            }

            ((delegate* unmanaged<IntPtr*, void>)destroyChunk)(&chunk);
        }

        writer.Finish();
        return rows;
    }
}

/// <summary>DuckDB through DuckDB.NET, opened and used as wharf does (Wharf's own helpers are internal to it).</summary>
internal static class Duck
{
    /// <summary>A new in-memory database, extension auto-install and auto-load off (wharf's DuckDbConnections.Open).</summary>
    public static DuckDBConnection Open()
    {
        var builder = new DuckDBConnectionStringBuilder
        {
            DataSource = DuckDBConnectionStringBuilder.InMemoryDataSource,
            AutoinstallKnownExtensions = false,
            AutoloadKnownExtensions = false,
        };
        var connection = new DuckDBConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    public static long Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>A streaming reader (one chunk at a time), as wharf's DuckDbCommands.Query.</summary>
    public static DuckDBDataReader Query(DuckDBConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        return command.ExecuteReader();
    }

    /// <summary>One row, each value to the appender overload of its type (wharf's DuckDbAppending.AppendRow, for the types staged here).</summary>
    public static void AppendRow(DuckDBAppender appender, object?[] values)
    {
        var row = appender.CreateRow();
        foreach (var value in values)
        {
            row = value switch
            {
                null => row.AppendNullValue(),
                long v => row.AppendValue(v),
                int v => row.AppendValue(v),
                string v => row.AppendValue(v),
                _ => throw new NotSupportedException($"a {value.GetType().Name} value"),
            };
        }

        row.EndRow();
    }
}
