from edge_vdialog.cli import main

raise SystemExit(main())
