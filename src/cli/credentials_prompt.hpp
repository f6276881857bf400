// Typed-in AWS credentials (issue 17): when stdin is a terminal, the credential chain's last
// source asks for the access key id (echoed) and the secret access key (not echoed; the
// terminal is restored on Ctrl-C). The answer stays in this process's memory only.
#pragma once

namespace sparkify::cli {

// Installs the prompt (aws::SetCredentialsPrompt) when stdin is a terminal; otherwise the
// chain keeps failing with its clear "no AWS credentials found" error.
void InstallCredentialsPrompt();

}  // namespace sparkify::cli
