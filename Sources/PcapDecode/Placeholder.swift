// PcapDecode: frames -> DNS messages (being written).
