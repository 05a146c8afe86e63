using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>A fresh project folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempProjectFolder : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-project-");

    public string Path => directory.FullName;

    public string ProjectFile => System.IO.Path.Combine(Path, Project.FileName);

    public string DotEnvFile => System.IO.Path.Combine(Path, ".env");

    public void WriteProject(string yaml) => File.WriteAllText(ProjectFile, yaml);

    public void WriteDotEnv(string text) => File.WriteAllText(DotEnvFile, text);

    /// <summary>Loads the folder with an environment that holds only <paramref name="variables"/>.</summary>
    public Task<Project> LoadAsync(IReadOnlyDictionary<string, string>? variables = null) =>
        ProjectLoader.LoadAsync(
            Path,
            name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
            TestContext.Current.CancellationToken);

    /// <summary>Writes <paramref name="yaml"/>, loads it, and returns the error it must cause.</summary>
    public async Task<ProjectFileException> LoadFailsAsync(string yaml, IReadOnlyDictionary<string, string>? variables = null)
    {
        WriteProject(yaml);
        return await Should.ThrowAsync<ProjectFileException>(() => LoadAsync(variables));
    }

    public void Dispose() => directory.Delete(recursive: true);
}
