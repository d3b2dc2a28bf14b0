namespace ScaleControl.Charts.Tests;

/// <summary>Finds files of the repository from the test's output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "scalecontrol");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ScaleControl.sln not found above " + AppContext.BaseDirectory);
    }
}
