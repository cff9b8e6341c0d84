namespace Nabla.Tests;

/// <summary>Locations of the repository and of shared/ beside it, found from the test assembly.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Nabla.slnx not found above " + AppContext.BaseDirectory);
    }
}
