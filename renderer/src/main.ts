import { mount } from 'svelte';
import App from './App.svelte';
import { clientForPage } from './lib/client.ts';
import { AppState, windowAddress } from './lib/app.svelte.ts';
import './app.css';

const client = clientForPage(window as unknown as Parameters<typeof clientForPage>[0]);
const app = new AppState(client, windowAddress(window));
mount(App, { target: document.getElementById('app')!, props: { app } });
