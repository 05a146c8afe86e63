namespace Wharf.Projects;

/// <summary>Writes a new project that runs as is: <c>wharf.yml</c>, a sample CSV, <c>.env.example</c>, <c>.gitignore</c>.</summary>
internal static class ProjectScaffold
{
    /// <summary>Creates the project in <paramref name="directory"/> and returns the files written.</summary>
    /// <exception cref="ProjectFileException">The folder already holds a wharf.yml (nothing is overwritten).</exception>
    public static async Task<IReadOnlyList<string>> CreateAsync(string directory, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(directory);
        var projectFile = Path.Combine(root, Project.FileName);
        if (File.Exists(projectFile))
        {
            throw new ProjectFileException(ProjectLoader.Display(projectFile), "a project already exists here; 'wharf init' never overwrites one. Choose another folder.");
        }

        var files = new Dictionary<string, string>
        {
            [Project.FileName] = ProjectFile,
            ["data/customers.csv"] = SampleCsv,
            [".env.example"] = "# Secrets for ${VAR} references in wharf.yml. Copy to .env (never commit .env).\n# SHOP_URL=postgres://etl:secret@db.internal:5432/shop\n",
            [".gitignore"] = "/warehouse.duckdb\n/warehouse.duckdb.wal\n/lake/\n.env\n",
        };
        var written = new List<string>();
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(root, name);
            if (File.Exists(path))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken);
            written.Add(path);
        }

        return written;
    }

    private const string ProjectFile = """
        # Wharf project. Paths are relative to this file; ${VAR} reads the environment, then .env.
        warehouse: duckdb:warehouse.duckdb   # the embedded warehouse (one DuckDB file)
        lake: lake/                          # every raw extract, as Parquet, never overwritten

        connections:
          files: { type: files, path: data/ }

        pipelines:
          customers:
            source: files
            files: "customers.csv"           # a glob: "orders/*.csv", "**/*.parquet"
            table: customers
            mode: replace                    # or append
            # csv: { delimiter: ",", header: true, null: ["", "NA"], date_format: "%Y-%m-%d" }

        """;

    private const string SampleCsv = """
        customer_id,name,email,country,signed_up
        1,"Silva, Ana",ana@example.com,PT,2024-01-15
        2,Bruno Costa,,BR,2024-02-03
        3,"Chen ""CC"" Li",chen@example.com,CN,2024-03-21

        """;
}
