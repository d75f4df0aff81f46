namespace ShelterCaseSystem;

// A Program of its own namespace (not top-level statements), so that the platform's tests can run the sample in
// process beside the platform's own global Program.
public static class Program
{
    public static Task Main(string[] args) => ShelterApp.Build(args).RunAsync();
}
