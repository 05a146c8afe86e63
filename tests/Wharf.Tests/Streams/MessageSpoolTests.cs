using System.Text;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Sources.Http;
using Wharf.Sources.Streams;

namespace Wharf.Tests.Streams;

/// <summary>A batch of messages as the spool lines DuckDB reads: metadata, payload by format, exact numbers, unreadable payloads.</summary>
public sealed class MessageSpoolTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("wharf-spool-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static BrokerMessage Message(string body, string id = "m1") => new(Encoding.UTF8.GetBytes(body))
    {
        Id = id,
        Key = "orders.new",
        Exchange = "shop",
        Headers = [KeyValuePair.Create("source", (string?)"test \"quoted\"")],
        Timestamp = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1230),
        Redelivered = true,
    };

    private async Task<string> SpoolAsync(MessageFormat format, bool quarantine, params BrokerMessage[] messages)
    {
        var path = Path.Combine(folder, "batch.ndjson");
        using var spool = new MessageSpool(path, format, quarantine, MessageSpool.RoutingKeyColumn);
        foreach (var message in messages)
        {
            (await spool.WriteAsync(message, TestContext.Current.CancellationToken)).ShouldBeNull();
        }

        await spool.CloseAsync(TestContext.Current.CancellationToken);
        spool.Messages.ShouldBe(messages.Length);
        return path;
    }

    private static object? Scalar(string path, string sql)
    {
        using var duck = DuckDbConnections.Open(null);
        using var reader = duck.Query(sql.Replace("SPOOL", SpoolTables.Relation([path]), StringComparison.Ordinal));
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
    }

    [Fact]
    public async Task Json_FieldsAndMetadata_AreColumns()
    {
        var path = await SpoolAsync(MessageFormat.Json, false,
            Message("""{"order_id": 7, "customer": {"name": "Zoë"}, "big": 12345678901234567890123, "_routing_key": "payload's own"}"""),
            Message("[1, 2]", "m2"));

        Scalar(path, "SELECT customer.name FROM SPOOL WHERE _message_id = 'm1'").ShouldBe("Zoë");
        Scalar(path, "SELECT big FROM SPOOL WHERE _message_id = 'm1'").ShouldBe("12345678901234567890123", "a number DuckDB would round stays exact, as text");
        Scalar(path, "SELECT _routing_key FROM SPOOL WHERE _message_id = 'm1'").ShouldBe("orders.new", "the metadata wins over a payload field of its name");
        Scalar(path, "SELECT _exchange || '|' || _headers || '|' || _redelivered FROM SPOOL WHERE _message_id = 'm1'").ShouldBe("""shop|{"source":"test \"quoted\""}|true""");
        Scalar(path, "SELECT _timestamp FROM SPOOL WHERE _message_id = 'm1'").ShouldBe(1_714_979_289_000_123L, "microseconds since 1970, UTC");
        Scalar(path, "SELECT CAST(value AS VARCHAR) FROM SPOOL WHERE _message_id = 'm2'").ShouldBe("[1, 2]", "a payload that is not an object is one column 'value'");
    }

    [Fact]
    public async Task TextAndBytes_AreOnePayloadColumn()
    {
        var text = await SpoolAsync(MessageFormat.Text, false, Message("line é"));
        Scalar(text, "SELECT payload FROM SPOOL").ShouldBe("line é");

        File.Delete(text);
        var bytes = await SpoolAsync(MessageFormat.Bytes, false, new BrokerMessage(new byte[] { 0, 255, 16 }) { Id = "b" });
        Scalar(bytes, "SELECT from_base64(payload) FROM SPOOL").ShouldBeAssignableTo<Stream>();
        Scalar(bytes, "SELECT hex(from_base64(payload)) FROM SPOOL").ShouldBe("00FF10");
        Scalar(bytes, "SELECT _headers IS NULL AND _timestamp IS NULL FROM SPOOL").ShouldBe(true);
    }

    [Fact]
    public async Task InvalidJson_IsTheCallersToDecide_OrSpooledForTheQuarantine()
    {
        var path = Path.Combine(folder, "failing.ndjson");
        using (var spool = new MessageSpool(path, MessageFormat.Json, quarantine: false, MessageSpool.SubjectColumn))
        {
            var problem = await spool.WriteAsync(Message("{not json"), TestContext.Current.CancellationToken);
            problem.ShouldNotBeNull().ShouldStartWith("the payload is not valid JSON: ");
            spool.Messages.ShouldBe(0);
        }

        File.Delete(path);
        var quarantined = await SpoolAsync(MessageFormat.Json, true, Message("""{"a": 1}"""), Message("{not json", "m2"));
        Scalar(quarantined, "SELECT _payload || ' / ' || _payload_error FROM SPOOL WHERE _message_id = 'm2'").ShouldBe("{not json / the payload is not valid JSON: 'n' is an invalid start of a property name. Expected a '\"'. LineNumber: 0 | BytePositionInLine: 1.");
        Scalar(quarantined, "SELECT count(*) FROM SPOOL WHERE _payload_error IS NULL AND a = 1").ShouldBe(1L);
    }

    /// <summary>
    /// A batch is read with the types DuckDB detected once when its dates are plain ISO, and typed
    /// again otherwise (<c>24-01-02</c> would become the year 24 with its type given); the values
    /// come out the same either way. A field that changes kind between messages gives up the shape.
    /// </summary>
    [Theory]
    [InlineData("2024-01-02", "2024-01-02T10:00:00Z", true, "2024-01-02 | 2024-01-02 10:00:00")]
    [InlineData("24-01-02", "2024-01-02T10:00:00Z", false, "2024-01-02 | 2024-01-02 10:00:00")]
    [InlineData("2024-01-02", "2024-01-02T10:00:00+02:00", false, "2024-01-02 | 2024-01-02 08:00:00")]
    public async Task Batches_AreReadWithTheirTypesGiven_OnlyWhenTheirDatesArePlainIso(string day, string at, bool typed, string expected)
    {
        using var spool = await SpoolPayloadsAsync($$"""{"id": 1, "day": "{{day}}", "at": "{{at}}"}""", """{"id": 2, "day": null, "at": null}""");
        using var workArea = DuckDbConnections.Open(null);

        var table = SpoolTables.Plan(workArea, [spool.Path], Pipeline(), "events", spool.Shape).Single();

        table.Sql.Contains("columns = {", StringComparison.Ordinal).ShouldBe(typed, table.Sql);
        using var reader = workArea.Query($"""SELECT CAST("day" AS VARCHAR) || ' | ' || CAST("at" AS VARCHAR) FROM ({table.Sql}) WHERE id = 1""");
        reader.Read().ShouldBeTrue();
        reader.GetString(0).ShouldBe(expected);
    }

    /// <summary>
    /// An object payload's bytes are copied into its line as they came (line breaks, which JSON
    /// allows only between tokens, become spaces), until a number DuckDB would round needs its text
    /// written instead; a payload with a field named like a metadata column is written field by field.
    /// </summary>
    [Fact]
    public async Task ObjectPayloads_AreCopiedAsTheyCame_UntilANumberMustBeKeptAsText()
    {
        var path = await SpoolAsync(MessageFormat.Json, false,
            Message("{ \"id\": 1,\n  \"name\": \"a\\nb \\u00e9\",\r\n  \"big\": 2 }", "m1"),
            Message("{}", "m2"),
            Message("""{"id": 3, "_subject": "payload's own"}""", "m3"),
            Message("""{"id": 4, "big": 12345678901234567890123}""", "m4"),
            Message("""{"id": 5, "big": 5}""", "m5"));

        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        lines[0].ShouldEndWith(""","_redelivered":true, "id": 1,   "name": "a\nb \u00e9",    "big": 2 }""");
        lines[1].ShouldEndWith(""","_redelivered":true}""");
        lines[2].ShouldEndWith(""","_redelivered":true,"id":3,"_subject":"payload's own"}""", Case.Sensitive, "a payload field of a metadata column's name is left to the writer");
        lines[4].ShouldEndWith(""","_redelivered":true,"id":5,"big":5}""", Case.Sensitive, "once a number is kept as text, the batch's payloads are written field by field");
        Scalar(path, "SELECT string_agg(id || '=' || COALESCE(name, '') || '=' || COALESCE(CAST(big AS VARCHAR), ''), ';' ORDER BY id) FROM SPOOL")
            .ShouldBe("1=a\nb é=2;3==;4==\"12345678901234567890123\";5==5", "numbers and text in one field: DuckDB makes it JSON");
        Scalar(path, "SELECT count(*) FROM SPOOL WHERE id IS NULL").ShouldBe(1L, "the empty payload is a row too");
    }

    /// <summary>
    /// The spool's own columns are read in their own types, whatever DuckDB would detect in a batch:
    /// a message id like a UUID in capitals, a routing key like a timestamp with an offset, headers
    /// NULL in every message; the payload's fields are typed from a sample that fits the shape.
    /// </summary>
    [Theory]
    [InlineData("\"2024-01-01\"", "DATE")]
    [InlineData("5", "JSON")]
    public async Task MetadataColumns_KeepTheirOwnTypes(string laterValue, string type)
    {
        using var spool = new MessageSpool(Path.Combine(folder, "own.ndjson"), MessageFormat.Json, false, MessageSpool.RoutingKeyColumn);
        foreach (var i in Enumerable.Range(1, 3))
        {
            var payload = i == 1 ? """{"id": 1, "v": "2024-01-01"}""" : $$"""{"id": {{i}}, "v": {{laterValue}}}""";
            var message = Message(payload, $"6F9619FF-8B86-D011-B42D-00C04FC964F{i}") with { Key = "2024-01-02T10:00:00+02:00", Headers = [] };
            (await spool.WriteAsync(message, TestContext.Current.CancellationToken)).ShouldBeNull();
        }

        await spool.CloseAsync(TestContext.Current.CancellationToken);
        using var workArea = DuckDbConnections.Open(null);

        var table = SpoolTables.Plan(workArea, [spool.Path], Pipeline(), "events", spool.Shape, spool.OwnColumns).Single();

        table.Sql.ShouldContain("columns = {", Case.Sensitive, "typed from a sample, or (a field that changed kind) from every record");
        using var reader = workArea.Query($"""
            SELECT _message_id || ' ' || _routing_key || ' ' || typeof(_headers) || ' ' || typeof(v) || ' ' || typeof(_timestamp) || ' ' || typeof(_redelivered)
            FROM ({table.Sql}) WHERE id = 1
            """);
        reader.Read().ShouldBeTrue();
        reader.GetString(0).ShouldBe($"6F9619FF-8B86-D011-B42D-00C04FC964F1 2024-01-02T10:00:00+02:00 VARCHAR {type} BIGINT BOOLEAN");
    }

    [Fact]
    public async Task AFieldThatChangesKind_GivesUpTheShape()
    {
        using var same = await SpoolPayloadsAsync("""{"id": 1, "at": "2024-01-02"}""", """{"id": 2, "at": "2024-01-03"}""");
        using var changed = await SpoolPayloadsAsync("""{"id": 1, "at": "2024-01-02"}""", """{"id": 2, "at": 5}""");

        same.Shape.ShouldNotBeNull();
        changed.Shape.ShouldBeNull("a field that is a string, then a number, is DuckDB's to type");
    }

    /// <summary>A closed spool of one message per JSON payload.</summary>
    private async Task<MessageSpool> SpoolPayloadsAsync(params string[] payloads)
    {
        var spool = new MessageSpool(Path.Combine(folder, $"{Guid.NewGuid():N}.ndjson"), MessageFormat.Json, false, MessageSpool.RoutingKeyColumn);
        for (var i = 0; i < payloads.Length; i++)
        {
            (await spool.WriteAsync(Message(payloads[i], $"m{i}"), TestContext.Current.CancellationToken)).ShouldBeNull();
        }

        await spool.CloseAsync(TestContext.Current.CancellationToken);
        return spool;
    }

    private static PipelineSettings Pipeline() =>
        new() { Name = "events", Source = "mq", Table = "events", Location = new SourceLocation("wharf.yml", 1, 1) };
}
