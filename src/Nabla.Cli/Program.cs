using System.CommandLine;
using Nabla.Cli;

return Commands.Run(args, Console.Out, Console.Error);
