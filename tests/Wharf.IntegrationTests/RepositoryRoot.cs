namespace Wharf.IntegrationTests;

/// <summary>The clone the tests were built in (the folder holding Wharf.slnx), for its examples and scripts.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Wharf.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Wharf.slnx above {AppContext.BaseDirectory}.");
    }
}
