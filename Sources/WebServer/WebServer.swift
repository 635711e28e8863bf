/// The web server component: updater endpoints, REST API, dashboard (issue 6). Filled in by the
/// WebServer work; this file marks the module.
enum WebServerModule {}
