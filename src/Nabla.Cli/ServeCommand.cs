using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nabla.Web;

namespace Nabla.Cli;

/// <summary>`nabla serve`: the web page and the JSON API (src/Nabla.Web), on loopback unless told otherwise.</summary>
public static class ServeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, e.g. {NablaServer.DefaultUrls} (the default: loopback only). Separate several with ';'.",
            DefaultValueFactory = _ => NablaServer.DefaultUrls,
        };
        var timeLimit = new Option<double>("--time-limit")
        {
            Description = "Seconds each derivation may take before it is abandoned and answered with limit_exceeded.",
            DefaultValueFactory = _ => 5,
        };
        var verbose = new Option<bool>("--verbose") { Description = "Log requests and server events to the console." };
        var cmd = new Command("serve", "Serve the Nabla web page and the JSON API (POST /api/derive takes the JSON Lines protocol's requests).")
        {
            urls, timeLimit, verbose,
        };
        cmd.SetAction(async (p, ct) =>
        {
            double seconds = p.GetValue(timeLimit);
            if (!(seconds > 0 && seconds <= 3600))
            {
                stderr.WriteLine("nabla serve: --time-limit must be between 0 and 3600 seconds");
                return 2;
            }
            var options = new WebOptions { TimeBudget = TimeSpan.FromSeconds(seconds) };
            using var host = NablaServer.CreateHostBuilder(options, p.GetValue(urls), quiet: !p.GetValue(verbose)).Build();
            try
            {
                await host.StartAsync(ct);
            }
            catch (FormatException e)
            {
                stderr.WriteLine($"nabla serve: --urls: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                stderr.WriteLine($"nabla serve: cannot start the server: {e.Message}");
                return 1;
            }
            var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var a in addresses) stdout.WriteLine($"Nabla is serving on {a}  (Ctrl+C to stop)");
            stdout.Flush();
            await host.WaitForShutdownAsync(ct);
            return 0;
        });
        return cmd;
    }
}
