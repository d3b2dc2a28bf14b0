using ScaleControl.Cli;

return await ScalectlRootCommand.RunAsync(args);
