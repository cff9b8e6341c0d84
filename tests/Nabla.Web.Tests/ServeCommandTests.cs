using System.Net;
using System.Net.Sockets;

namespace Nabla.Web.Tests;

/// <summary>`nabla serve` from the command line: help, a bad address, a port already taken.</summary>
public sealed class ServeCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Commands.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Help_names_the_default_loopback_address()
    {
        var (code, output, _) = Run("serve", "--help");
        Assert.Equal(0, code);
        Assert.Contains("http://127.0.0.1:5080", output);
    }

    [Fact]
    public void A_malformed_address_is_a_command_line_error()
    {
        var (code, _, err) = Run("serve", "--urls", "notaurl");
        Assert.Equal(2, code);
        Assert.Contains("notaurl", err);
    }

    [Fact]
    public void A_port_in_use_is_reported_not_thrown()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, _, err) = Run("serve", "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.StartsWith("nabla serve: cannot start the server", err);
    }

    [Fact]
    public void A_time_limit_out_of_range_is_refused()
    {
        var (code, _, err) = Run("serve", "--time-limit", "0");
        Assert.Equal(2, code);
        Assert.Contains("--time-limit", err);
    }
}
