using Wharf.Projects;

namespace Wharf.Tests.Projects;

public sealed class ProjectLoaderTests : IDisposable
{
    private const string MinimalProject = """
        connections:
          files: { type: files }
        pipelines:
          orders:
            source: files
            files: orders.csv
        """;

    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Load_WhenFileIsValid_ResolvesPathsAgainstTheProjectFolder()
    {
        folder.WriteProject("""
            warehouse: duckdb:db/wh.duckdb
            lake: raw/
            connections:
              shop: { type: files, path: data/shop }
              here:
                type: files
            pipelines:
              orders:
                source: shop
                files: "orders/*.csv"
              customers:
                source: here
                files: ["a.csv", "b/*.csv"]
                table: clients
                schema: crm
                mode: replace
                format: csv
            """);

        var project = await folder.LoadAsync();

        project.Directory.ShouldBe(folder.Path);
        Path.GetFullPath(project.File).ShouldBe(folder.ProjectFile);
        project.Warehouse.ShouldBe(new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(folder.Path, "db", "wh.duckdb")));
        Path.TrimEndingDirectorySeparator(project.LakeDirectory).ShouldBe(Path.Combine(folder.Path, "raw"));
        project.Connections.Select(c => (c.Name, c.Type, c.Path)).ShouldBe([
            ("shop", "files", Path.Combine(folder.Path, "data", "shop")),
            ("here", "files", folder.Path),
        ]);
        project.Pipelines.Select(p => p.Name).ShouldBe(["orders", "customers"]);

        var customers = project.Pipelines[1];
        customers.Source.ShouldBe("here");
        customers.Files.ShouldBe(["a.csv", "b/*.csv"]);
        customers.Table.ShouldBe("clients");
        customers.Schema.ShouldBe("crm");
        customers.Mode.ShouldBe(WriteMode.Replace);
        customers.Format.ShouldBe(FileFormat.Csv);
        customers.Location.Line.ShouldBe(12);
        customers.Location.Column.ShouldBe(5);
    }

    [Fact]
    public async Task Load_WhenOptionalKeysAreLeftOut_UsesTheDefaults()
    {
        folder.WriteProject(MinimalProject);

        var project = await folder.LoadAsync();

        project.Warehouse.ShouldBe(new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(folder.Path, "warehouse.duckdb")));
        Path.TrimEndingDirectorySeparator(project.LakeDirectory).ShouldBe(Path.Combine(folder.Path, "lake"));
        project.Connections.ShouldHaveSingleItem().Path.ShouldBe(folder.Path);
        var orders = project.Pipelines.ShouldHaveSingleItem();
        orders.Files.ShouldBe(["orders.csv"]);
        orders.Table.ShouldBe("orders");
        orders.Schema.ShouldBe("main");
        orders.Mode.ShouldBe(WriteMode.Append);
        orders.Format.ShouldBe(FileFormat.Auto);
        orders.Csv.Delimiter.ShouldBeNull();
        orders.Csv.Header.ShouldBeNull();
        orders.Csv.Skip.ShouldBeNull();
        orders.Csv.NullStrings.ShouldBeEmpty();
        orders.Location.ShouldBe(new SourceLocation(project.File, 5, 5));
    }

    [Fact]
    public async Task Load_WhenWarehouseIsAnAbsolutePath_KeepsIt()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), "elsewhere", "wh.duckdb");
        folder.WriteProject($"warehouse: duckdb:{elsewhere}\n{MinimalProject}");

        var project = await folder.LoadAsync();

        project.Warehouse.Location.ShouldBe(elsewhere);
    }

    [Fact]
    public async Task Load_WhenVariableIsInTheEnvironment_UsesItsValue()
    {
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR}/in" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["DATA_DIR"] = "shared" });

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "shared", "in"));
    }

    [Fact]
    public async Task Load_WhenVariableIsOnlyInDotEnv_UsesTheDotEnvValue()
    {
        folder.WriteDotEnv("DATA_DIR=from_file\n");
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync();

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "from_file"));
    }

    [Fact]
    public async Task Load_WhenVariableIsInBothEnvironmentAndDotEnv_TheEnvironmentWins()
    {
        folder.WriteDotEnv("DATA_DIR=from_file\n");
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["DATA_DIR"] = "from_env" });

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "from_env"));
    }

    [Fact]
    public async Task Load_WhenVariableIsUnsetAndHasADefault_UsesTheDefault()
    {
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR:-fallback/dir}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync();

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "fallback", "dir"));
    }

    [Fact]
    public async Task Load_WhenVariableIsEmptyAndHasADefault_UsesTheDefault()
    {
        folder.WriteDotEnv("DATA_DIR=\n");
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR:-fallback}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync();

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "fallback"));
    }

    [Fact]
    public async Task Load_WhenAVariablesValueLooksLikeAReference_DoesNotExpandItAgain()
    {
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["DATA_DIR"] = "p${SECRET}ss", ["SECRET"] = "leaked" });

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "p${SECRET}ss"));
    }

    [Fact]
    public async Task Load_WhenValueHasDoubleDollarBrace_KeepsALiteralDollarBrace()
    {
        folder.WriteProject("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
                files: "$${NOT_A_VAR}.csv"
            """);

        var project = await folder.LoadAsync();

        project.Pipelines[0].Files.ShouldBe(["${NOT_A_VAR}.csv"]);
    }

    [Fact]
    public async Task Load_WhenVariableIsMissing_NamesItAndPointsAtTheValue()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files:
                type: files
                path: ${DATA_DIR}/in
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        error.Message.ShouldContain("DATA_DIR");
        error.Message.ShouldContain(".env");
        error.Line.ShouldBe(4);
        error.Column.ShouldBe(11);
        Path.GetFullPath(error.File).ShouldBe(folder.ProjectFile);
    }

    [Fact]
    public async Task Load_WhenVariableReferenceIsMalformed_SaysHowToWriteOne()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files, path: "${DATA-DIR}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        error.Message.ShouldContain("${DATA-DIR}");
        error.Message.ShouldContain("${NAME}");
        error.Line.ShouldBe(2);
    }

    [Fact]
    public async Task Load_WhenKeyIsMisspelled_SuggestsTheClosestKey()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
                files: orders.csv
                tabel: orders_raw
            """);

        error.Message.ShouldContain("unknown key 'tabel'");
        error.Message.ShouldContain("Did you mean 'table'?");
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(5);
        error.Message.ShouldStartWith($"{error.File}:7:5: ");
    }

    [Fact]
    public async Task Load_WhenTwoLettersOfAKeyAreSwapped_SuggestsThatKeyOverAShorterOne()
    {
        // 'tabels' is one deletion from 'table' and one swap from 'tables'; the swap is the typo.
        var error = await folder.LoadFailsAsync("""
            connections:
              db: { type: postgres, url: "postgresql://localhost/db" }
            pipelines:
              orders:
                source: db
                tabels: [orders]
            """);

        error.Message.ShouldContain("unknown key 'tabels'");
        error.Message.ShouldContain("Did you mean 'tables'?");
    }

    [Theory]
    [InlineData("postgres://etl@db:notaport/shop", "'notaport' is not a port")]
    [InlineData("postgres://etl@db/shop?sslmode=sometimes", "sslmode")]
    public async Task Load_WhenAPostgresSourceUrlIsBad_FailsAtItsLine_BeforeAnyRun(string url, string expected)
    {
        var error = await folder.LoadFailsAsync($$"""
            connections:
              shop: { type: postgres, url: "{{url}}" }
            pipelines:
              orders: { source: shop, tables: [orders] }
            """);

        error.Message.ShouldContain(expected);
        error.Line.ShouldBe(2);
    }

    [Fact]
    public async Task Load_WhenTopLevelKeyIsMisspelled_SuggestsTheClosestKey()
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\nwarehuose: duckdb:wh.duckdb\n");

        error.Message.ShouldContain("Did you mean 'warehouse'?");
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(1);
    }

    [Fact]
    public async Task Load_WhenRequiredKeyIsMisspelled_PointsAtTheTypo()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
                file: orders.csv
            """);

        error.Message.ShouldContain("'file'");
        error.Message.ShouldContain("Did you mean 'files'?");
        error.Line.ShouldBe(6);
        error.Column.ShouldBe(5);
    }

    [Fact]
    public async Task Load_WhenAKeyIsNotAScalar_ReportsAProjectFileError()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              ? [a, b]
              : { type: files }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        error.Line.ShouldBe(2);
    }

    [Fact]
    public async Task Load_WhenAValueIsAnAlias_ReadsTheAnchoredValue()
    {
        folder.WriteProject("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
                files: orders.csv
                csv: &semicolons { delimiter: ";", header: true }
              returns:
                source: files
                files: returns.csv
                csv: *semicolons
            """);

        var project = await folder.LoadAsync();

        project.Pipelines[1].Csv.Delimiter.ShouldBe(";");
        project.Pipelines[1].Csv.Header.ShouldBe(true);
    }

    [Fact]
    public async Task Load_WhenUnknownKeyIsNothingLikeAKnownOne_ListsTheKnownKeysWithoutAGuess()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files, credentials: secret }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        error.Message.ShouldContain("unknown key 'credentials'");
        error.Message.ShouldNotContain("Did you mean");
        error.Message.ShouldContain("Expected one of: path, type.");
        error.Line.ShouldBe(2);
        error.Column.ShouldBe(25);
    }

    [Fact]
    public async Task Load_WhenModeIsNotAllowed_ListsTheAllowedValues()
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    mode: upsert\n");

        error.Message.ShouldContain("'upsert'");
        error.Message.ShouldContain("append, replace");
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(11);
    }

    [Fact]
    public async Task Load_WhenFormatIsNotAllowed_ListsTheFormats()
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    format: xlsx\n");

        error.Message.ShouldContain("'xlsx'");
        error.Message.ShouldContain("auto, csv, tsv, json, ndjson, parquet");
    }

    [Fact]
    public async Task Load_WhenModeIsANumber_RejectsIt()
    {
        // Enum.TryParse accepts "1"; the loader must not.
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    mode: 1\n");

        error.Message.ShouldContain("append, replace");
    }

    [Fact]
    public async Task Load_WhenModeDiffersOnlyInCase_AcceptsIt()
    {
        folder.WriteProject($"{MinimalProject}\n    mode: Replace\n");

        var project = await folder.LoadAsync();

        project.Pipelines[0].Mode.ShouldBe(WriteMode.Replace);
    }

    [Fact]
    public async Task Load_WhenIndentationIsBroken_ReportsInvalidYamlWithALine()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
               files: orders.csv
            """);

        error.Message.ShouldContain("not valid YAML");
        error.Line.ShouldBe(6);
        error.Column.ShouldBeGreaterThan(0);
        error.InnerException.ShouldNotBeNull();
    }

    [Fact]
    public async Task Load_WhenATabIndents_PointsAtTheTab()
    {
        var error = await folder.LoadFailsAsync("warehouse: duckdb:w.duckdb\nconnections:\n  files: { type: files }\n\tother: { type: files }\n");

        error.Message.ShouldContain("not valid YAML");
        error.Message.ShouldContain("YAML indents with spaces only.");
        (error.Line, error.Column).ShouldBe((4, 1));
    }

    [Fact]
    public async Task Load_WhenAPipelineIsDeclaredTwice_ReportsTheSecondOne()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
                files: a.csv
              orders:
                source: files
                files: b.csv
            """);

        error.Line.ShouldBe(7);
        error.Message.ShouldContain("orders");
    }

    [Fact]
    public async Task Load_WhenFileIsMissing_SuggestsWharfInit()
    {
        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        error.Message.ShouldContain("'wharf init'");
        error.Message.ShouldContain(Project.FileName);
        error.Line.ShouldBe(0);
    }

    [Fact]
    public async Task Load_WhenFolderIsMissing_SaysTheFolderDoesNotExist()
    {
        var missing = Path.Combine(folder.Path, "nope");

        var error = await Should.ThrowAsync<ProjectFileException>(() =>
            ProjectLoader.LoadAsync(missing, _ => null, TestContext.Current.CancellationToken));

        error.Message.ShouldContain("does not exist");
        error.Message.ShouldContain("nope");
    }

    [Fact]
    public async Task Load_WhenFileHasOnlyComments_SaysItIsEmpty()
    {
        var error = await folder.LoadFailsAsync("# nothing yet\n");

        error.Message.ShouldContain("empty");
        error.Message.ShouldContain("'wharf init'");
    }

    [Fact]
    public async Task Load_WhenFileIsAList_SaysItMustBeAMapping()
    {
        var error = await folder.LoadFailsAsync("- connections\n- pipelines\n");

        error.Message.ShouldContain("must be a mapping");
        error.Line.ShouldBe(1);
    }

    [Theory]
    [InlineData("table: order items", "order items", "order_items")]
    [InlineData("table: \"o'brien\"", "o'brien", "o_brien")]
    [InlineData("table: Orders-2024", "Orders-2024", "orders_2024")]
    [InlineData("schema: 2024sales", "2024sales", "_2024sales")]
    public async Task Load_WhenNameIsNotAnIdentifier_SuggestsAFixedName(string line, string name, string suggestion)
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    {line}\n");

        error.Message.ShouldContain($"'{name}'");
        error.Message.ShouldContain($"Try '{suggestion}'.");
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(line.IndexOf(':', StringComparison.Ordinal) + 7);
    }

    [Fact]
    public async Task Load_WhenPipelineNameIsNotAnIdentifier_PointsAtTheName()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              daily-orders:
                source: files
                files: orders.csv
            """);

        error.Message.ShouldContain("pipeline name 'daily-orders'");
        error.Message.ShouldContain("Try 'daily_orders'.");
        error.Line.ShouldBe(4);
        error.Column.ShouldBe(3);
    }

    [Fact]
    public async Task Load_WhenSourceNamesNoConnection_ListsTheConnections()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
              archive: { type: files, path: old }
            pipelines:
              orders:
                source: shopify
                files: orders.csv
            """);

        error.Message.ShouldContain("'shopify'");
        error.Message.ShouldContain("Connections: files, archive.");
        error.Line.ShouldBe(6);
        error.Column.ShouldBe(13);
    }

    [Fact]
    public async Task Load_WhenPipelineHasNoSource_AsksForOne()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                files: orders.csv
            """);

        error.Message.ShouldContain("needs 'source:'");
        error.Line.ShouldBe(5);
    }

    [Fact]
    public async Task Load_WhenConnectionTypeIsUnsupported_SaysWhichTypesAre()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              shop: { type: oracle, path: x }
            pipelines:
              orders:
                source: shop
                files: orders.csv
            """);

        error.Message.ShouldContain("'oracle'");
        error.Message.ShouldContain("Supported: files, s3, sftp, ftp, webdav, postgres, mysql, sqlite, duckdb, http, soap, rabbitmq, nats.");
        error.Line.ShouldBe(2);
        error.Column.ShouldBe(17);
    }

    [Fact]
    public async Task Load_PostgresConnection_ReadsUrlOrFieldsAndHidesThePassword()
    {
        folder.WriteProject("""
            connections:
              shop: { type: postgres, url: "postgres://etl:${SHOP_PASSWORD}@db.internal:6543/shop?sslmode=require" }
              other: { type: postgres, host: localhost, port: 5433, user: me, password: s3cret, database: dw }
            pipelines:
              sync:
                source: shop
                tables: ["public.*", "!public.audit_log"]
                schema: raw_shop
                keys: true
                parallel: 2
            """);
        var project = await folder.LoadAsync(new Dictionary<string, string> { ["SHOP_PASSWORD"] = "p@ss:word" });

        var shop = project.Connections[0];
        Wharf.Projects.PostgresConnectionString.Describe(shop).ShouldBe("etl@db.internal:6543/shop");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Wharf.Projects.PostgresConnectionString.For(shop));
        builder.Password.ShouldBe("p@ss:word");
        builder.SslMode.ShouldBe(Npgsql.SslMode.Require);
        shop.ToString().ShouldNotContain("p@ss");
        Wharf.Projects.PostgresConnectionString.Describe(project.Connections[1]).ShouldBe("me@localhost:5433/dw");
        var sync = project.Pipelines[0];
        sync.Tables.ShouldBe(["public.*", "!public.audit_log"]);
        sync.Keys.ShouldBeTrue();
        sync.Parallel.ShouldBe(2);
    }

    [Fact]
    public async Task Load_WhenADatabasePipelineHasFiles_SaysItDoesNotApply()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              shop: { type: postgres, url: "postgres://etl@db/shop" }
            pipelines:
              sync:
                source: shop
                files: "x.csv"
            """);

        error.Message.ShouldContain("'files' in pipeline 'sync' applies to files connections");
        error.Line.ShouldBe(6);
    }

    [Fact]
    public async Task Load_WhenADatabasePipelineHasNeitherTablesNorQuery_SaysWhatItNeeds()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              shop: { type: postgres, url: "postgres://etl@db/shop" }
            pipelines:
              sync:
                source: shop
            """);

        error.Message.ShouldContain("needs either 'tables:'");
    }

    [Fact]
    public async Task Load_WhenConnectionHasNoType_ListsTheTypes()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              shop: { path: x }
            pipelines:
              orders:
                source: shop
                files: orders.csv
            """);

        error.Message.ShouldContain("needs 'type:'");
        error.Message.ShouldContain("files");
    }

    [Theory]
    [InlineData("postgres://etl@db:5432/shop")]
    [InlineData("postgresql://etl@db/shop")]
    public async Task Load_WhenWarehouseIsPostgres_KeepsTheUrlAsAConnection(string url)
    {
        folder.WriteProject($"warehouse: {url}\n{MinimalProject}");

        var project = await folder.LoadAsync();

        project.Warehouse.Kind.ShouldBe(WarehouseKind.Postgres);
        project.Warehouse.Connection.ShouldNotBeNull().Url.ShouldBe(url);
        project.Warehouse.Connection!.Location.Line.ShouldBe(1);
    }

    [Theory]
    [InlineData("\"duckdb:\"", "duckdb:")]
    [InlineData("mysql://db/shop", "mysql://db/shop")]
    public async Task Load_WhenWarehouseIsNotADuckDbFile_SaysWhatItMustBe(string yaml, string value)
    {
        var error = await folder.LoadFailsAsync($"warehouse: {yaml}\n{MinimalProject}");

        error.Message.ShouldContain("'duckdb:FILE'");
        error.Message.ShouldContain($"'{value}'");
    }

    [Fact]
    public async Task Load_WhenPipelinesIsAnEmptyMapping_AsksForAPipeline()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines: {}
            """);

        error.Message.ShouldContain("'pipelines:' is empty");
        error.Line.ShouldBe(3);
    }

    [Fact]
    public async Task Load_WhenPipelinesHasNoValue_AsksForPipelines()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
            """);

        error.Message.ShouldContain("needs 'pipelines:'");
    }

    [Fact]
    public async Task Load_WhenConnectionsAreMissing_AsksForThem()
    {
        var error = await folder.LoadFailsAsync("""
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        error.Message.ShouldContain("needs 'connections:'");
    }

    [Theory]
    [InlineData("")]
    [InlineData("    files: []\n")]
    public async Task Load_WhenFilesAreMissing_AsksForAGlob(string filesLine)
    {
        var error = await folder.LoadFailsAsync($$"""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
            {{filesLine}}
            """);

        error.Message.ShouldContain("pipeline 'orders' needs 'files:'");
        error.Line.ShouldBe(5);
    }

    [Fact]
    public async Task Load_WhenTableIsAList_SaysItMustBeASingleValue()
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    table: [a, b]\n");

        error.Message.ShouldContain("must be a single value, not a list");
        error.Line.ShouldBe(7);
    }

    [Fact]
    public async Task Load_WhenCsvOptionsAreSet_ReadsEveryOne()
    {
        folder.WriteProject($"""
            {MinimalProject}
                csv:
                  delimiter: ";"
                  header: false
                  quote: "'"
                  escape: "\\"
                  encoding: latin-1
                  null: ["", NA, "-"]
                  date_format: "%d/%m/%Y"
                  timestamp_format: "%d/%m/%Y %H:%M"
                  skip: 2
            """);

        var csv = (await folder.LoadAsync()).Pipelines[0].Csv;

        csv.Delimiter.ShouldBe(";");
        csv.Header.ShouldBe(false);
        csv.Quote.ShouldBe("'");
        csv.Escape.ShouldBe("\\");
        csv.Encoding.ShouldBe("latin-1");
        csv.NullStrings.ShouldBe(["", "NA", "-"]);
        csv.DateFormat.ShouldBe("%d/%m/%Y");
        csv.TimestampFormat.ShouldBe("%d/%m/%Y %H:%M");
        csv.Skip.ShouldBe(2);
    }

    [Fact]
    public async Task Load_WhenCsvNullIsASingleString_ReadsAListOfOne()
    {
        folder.WriteProject($"{MinimalProject}\n    csv: {{ delimiter: \"\\t\", header: yes, null: NA }}\n");

        var csv = (await folder.LoadAsync()).Pipelines[0].Csv;

        csv.Delimiter.ShouldBe("\t");
        csv.Header.ShouldBe(true);
        csv.NullStrings.ShouldBe(["NA"]);
    }

    [Fact]
    public async Task Load_WhenCsvKeyIsUnknown_SuggestsTheClosestKey()
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    csv:\n      delimeter: \";\"\n");

        error.Message.ShouldContain("unknown key 'delimeter'");
        error.Message.ShouldContain("Did you mean 'delimiter'?");
        error.Line.ShouldBe(8);
        error.Column.ShouldBe(7);
    }

    [Theory]
    [InlineData("header: maybe", "true or false")]
    [InlineData("skip: -1", "whole number")]
    [InlineData("skip: two", "whole number")]
    public async Task Load_WhenCsvValueHasTheWrongType_SaysWhatIsExpected(string option, string expected)
    {
        var error = await folder.LoadFailsAsync($"{MinimalProject}\n    csv:\n      {option}\n");

        error.Message.ShouldContain(expected);
        error.Line.ShouldBe(8);
    }

    [Fact]
    public async Task Load_WhenDotEnvUsesExportQuotesAndComments_ReadsTheValues()
    {
        folder.WriteDotEnv("""
            # secrets for local runs
            export DATA_DIR=exported
            SUFFIX="in quotes"
            UNUSED=x # a comment
            """);
        folder.WriteProject("""
            connections:
              files: { type: files, path: "${DATA_DIR}/${SUFFIX}" }
            pipelines:
              orders:
                source: files
                files: orders.csv
            """);

        var project = await folder.LoadAsync();

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "exported", "in quotes"));
    }

    [Fact]
    public async Task Load_WhenDotEnvLineIsNotAnAssignment_NamesTheDotEnvFileAndLine()
    {
        folder.WriteDotEnv("""
            # comment
            GOOD=1
            this line has no equals sign
            """);
        folder.WriteProject(MinimalProject);

        var error = await Should.ThrowAsync<ProjectFileException>(() => folder.LoadAsync());

        Path.GetFullPath(error.File).ShouldBe(folder.DotEnvFile);
        error.Line.ShouldBe(3);
        error.Message.ShouldContain(".env:3:");
        error.Message.ShouldContain("KEY=value");
    }
}
