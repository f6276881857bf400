#include "cli/credentials_prompt.hpp"

#include "sparkify/aws/credentials.hpp"
#include "sparkify/common/terminal.hpp"

namespace sparkify::cli {

void InstallCredentialsPrompt() {
  if (!terminal::StdinIsTerminal()) return;
  aws::SetCredentialsPrompt([]() -> Result<aws::Credentials> {
    Result<std::string> key = terminal::ReadLineFromTerminal(
        "No AWS credentials found (environment, shared credentials and config files).\n"
        "Type them in; they are kept in memory for this run only.\n"
        "AWS Access Key ID: ",
        /*echo=*/true);
    if (!key.ok()) return key.take_error();
    Result<std::string> secret =
        terminal::ReadLineFromTerminal("AWS Secret Access Key (not shown): ", /*echo=*/false);
    if (!secret.ok()) return secret.take_error();
    return aws::Credentials{*key, *secret, "", "typed in at the terminal (kept in memory only)"};
  });
}

}  // namespace sparkify::cli
