// libpcap (Debian libpcap-dev) for the PcapCapture target; see TOOLCHAIN.md.
#include <pcap/pcap.h>
